/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Setup header and 64-bit entry of the test guest. tinyvmm enters at
 * startup_64 in long mode with %rsi pointing at boot_params, as it does
 * for Linux.
 */
	.section .setup, "a"
	.org 0x1f1
	.byte 1			/* setup_sects: 1 sector after the boot sector */
	.word 0			/* root_flags */
	.long 0			/* syssize */
	.word 0			/* ram_size */
	.word 0xffff		/* vid_mode */
	.word 0			/* root_dev */
	.word 0xaa55		/* boot_flag */
	.byte 0xeb, 0x6a	/* jump over the header, which ends at 0x26c */
	.ascii "HdrS"
	.word 0x020f		/* boot protocol 2.15 */
	.long 0			/* realmode_swtch */
	.word 0			/* start_sys_seg */
	.word 0			/* kernel_version */
	.byte 0			/* type_of_loader */
	.byte 0x01		/* loadflags: LOADED_HIGH */
	.word 0			/* setup_move_size */
	.long 0x100000		/* code32_start */
	.long 0, 0		/* ramdisk_image, ramdisk_size */
	.long 0			/* bootsect_kludge */
	.word 0			/* heap_end_ptr */
	.byte 0, 0		/* ext_loader_ver, ext_loader_type */
	.long 0			/* cmd_line_ptr */
	.long 0x7fffffff	/* initrd_addr_max */
	.long 0x200000		/* kernel_alignment */
	.byte 0, 0		/* relocatable_kernel, min_alignment */
	.word 0x1		/* xloadflags: XLF_KERNEL_64 */
	.long 2047		/* cmdline_size */
	.long 0			/* hardware_subarch */
	.quad 0			/* hardware_subarch_data */
	.long 0, 0		/* payload_offset, payload_length */
	.quad 0			/* setup_data */
	.quad 0x100000		/* pref_address */
	.long guest_init_size	/* init_size */
	.long 0			/* handover_offset */
	.long 0			/* kernel_info_offset */
	.org 0x400

	.section .text.head, "ax"
	.code64
	.org 0x200
	.globl startup_64
startup_64:
	cli
	lgdt	gdt_desc(%rip)
	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	leaq	stack_top(%rip), %rsp
	pushq	$0x10
	leaq	1f(%rip), %rax
	pushq	%rax
	lretq
1:	movq	%rsi, %rdi
	call	guest_main
2:	hlt
	jmp	2b

	.section .data
	.balign 16
gdt:
	.quad 0, 0
	.quad 0x00af9b000000ffff	/* 0x10: 64-bit code */
	.quad 0x00cf93000000ffff	/* 0x18: data */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

	.section .bss
	.balign 16
	.space 16384
stack_top:
