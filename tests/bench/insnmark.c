// SPDX-License-Identifier: GPL-2.0
/*
 * insnmark: executes the marker instruction once, so that the insncount
 * plugin writes the guest's instruction count so far (insncount.c).
 */
int main(void)
{
	__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
	return 0;
}
