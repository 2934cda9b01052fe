/*
 * allproc_churn_guest.S — a tiny x86 "guest kernel" for xnuscope's live tests.
 *
 * QEMU runs it as the machine's firmware (-bios, a 64 KiB ROM at 0xFFFF0000), so
 * no BIOS is involved and the first instruction executed is ours (reset vector).
 * It enters protected mode, then long mode on page tables kept in this ROM
 * (identity map of 0..8 GiB with 2 MiB pages; A/D bits preset so the CPU never
 * needs to write the ROM), then switches CR3 to the forge image's kernel PML4 —
 * after pointing that PML4's slot 0 at the same identity map, as a booting kernel
 * keeps low memory identity-mapped — and from then on works only through kernel
 * virtual addresses, like XNU would:
 *
 *   LIST_REMOVE(spare)                       -- the test's spare proc leaves allproc
 *   loop:
 *     wait period_ms (HPET main counter)
 *     spare->p_pid = next_pid++; LIST_INSERT_HEAD(&allproc, spare)   -- "fork"
 *     wait period_ms
 *     LIST_REMOVE(spare)                                             -- "exit"
 *
 * The test patches the parameter block (found by its magic) before starting QEMU.
 * Progress goes to the debug console port 0xE9 (QEMU -debugcon): 'P' protected
 * mode, 'L' long mode, 'K' on the forge PML4, '+' insert, '-' remove, 'E' error.
 * Any fault triple-faults (there is no IDT); run QEMU with -no-reboot so it exits.
 *
 * Build: as --64 -o g.o allproc_churn_guest.S && objcopy -O binary -j .text g.o g.rom
 */

        .set ROM_BASE, 0xFFFF0000
        .set PTE_P,  0x01
        .set PTE_RW, 0x02
        .set PTE_A,  0x20
        .set PTE_D,  0x40
        .set PTE_PS, 0x80
        .set HPET,   0xFED00000
        .set DEBUGCON, 0xE9

        .text
rom_start:

/* 0x0000: PML4 used to enter long mode: slot 0 -> the identity PDPT. */
pml4:
        .quad ROM_BASE + (pdpt - rom_start) + (PTE_P | PTE_RW | PTE_A)
        .fill 511, 8, 0

/* 0x1000: PDPT: slots 0..7 -> one PD each (8 GiB). */
pdpt:
        .set pd_index, 0
        .rept 8
        .quad ROM_BASE + 0x2000 + pd_index * 0x1000 + (PTE_P | PTE_RW | PTE_A)
        .set pd_index, pd_index + 1
        .endr
        .fill 504, 8, 0

/* 0x2000..0x9fff: 8 PDs of 2 MiB pages mapping PA = VA for 0..8 GiB. */
pds:
        .set frame, 0
        .rept 4096
        .quad frame + (PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS)
        .set frame, frame + 0x200000
        .endr

/* 0xa000: parameters, patched by the test (all little-endian u64). */
params:
        .ascii "XSGUEST1"
p_kernel_pml4:  .quad 0    /* PA of the forge kernel PML4 (the DTB) */
p_allproc:      .quad 0    /* kernel VA of allproc (struct proclist: lh_first) */
p_spare:        .quad 0    /* kernel VA of the spare struct proc */
p_list_off:     .quad 0    /* offsetof(struct proc, p_list) (le_next; le_prev +8) */
p_pid_off:      .quad 0    /* offsetof(struct proc, p_pid) (int32) */
p_first_pid:    .quad 0    /* pid given to the first insertion, then +1 each time */
p_period_ms:    .quad 0    /* how long each state (in / out of allproc) lasts */

gdt:
        .quad 0
        .quad 0x00CF9A000000FFFF   /* 0x08: 32-bit code, flat */
        .quad 0x00CF92000000FFFF   /* 0x10: data, flat */
        .quad 0x00AF9A000000FFFF   /* 0x18: 64-bit code */
gdt_end:
gdt_desc:
        .word gdt_end - gdt - 1
        .long ROM_BASE + (gdt - rom_start)

        .code16
entry16:
        cli
        lgdtl %cs:(gdt_desc - rom_start)
        movl %cr0, %eax
        andl $0x9FFFFFFF, %eax      /* caches on (CD/NW off) */
        orl $1, %eax                /* PE */
        movl %eax, %cr0
        ljmpl $0x08, $(ROM_BASE + (entry32 - rom_start))

        .code32
entry32:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movw $DEBUGCON, %dx
        movb $'P', %al
        outb %al, %dx
        movl %cr4, %eax
        orl $0x20, %eax             /* PAE */
        movl %eax, %cr4
        movl $(ROM_BASE + (pml4 - rom_start)), %eax
        movl %eax, %cr3
        movl $0xC0000080, %ecx      /* EFER */
        rdmsr
        orl $0x900, %eax            /* LME | NXE (the forge's leaf entries use NX) */
        wrmsr
        movl %cr0, %eax
        orl $0x80000000, %eax       /* PG */
        movl %eax, %cr0
        ljmpl $0x18, $(ROM_BASE + (entry64 - rom_start))

        .code64
/* Macros, not subroutines: there is no stack (no RAM of our own to put it in). */

/* LIST_REMOVE(spare, p_list): works wherever the spare sits in the list. */
        .macro LIST_REMOVE_SPARE
        movq (%r14), %rax           /* next */
        movq 8(%r14), %rbx          /* le_prev: address of whatever points at spare */
        testq %rax, %rax
        jz 3f
        movq %rbx, 8(%rax)          /* next->le_prev = spare.le_prev */
3:      movq %rax, (%rbx)           /* *spare.le_prev = next */
        .endm

/* Spins until r12 HPET ticks have passed. */
        .macro WAIT_PERIOD
        movq 0xF0(%r8), %rsi
4:      pause
        movq 0xF0(%r8), %rax
        subq %rsi, %rax
        cmpq %r12, %rax
        jb 4b
        .endm

entry64:
        movw $DEBUGCON, %dx
        movb $'L', %al
        outb %al, %dx

        /* Slot 0 of the forge PML4 -> our identity PDPT, unless already in use. */
        movq p_kernel_pml4(%rip), %rdi
        movq $(ROM_BASE + (pdpt - rom_start) + (PTE_P | PTE_RW | PTE_A)), %rax
        movq (%rdi), %rbx
        testq %rbx, %rbx
        jz 1f
        cmpq %rax, %rbx
        jne fail
1:      movq %rax, (%rdi)
        movq %rdi, %cr3
        movb $'K', %al
        outb %al, %dx

        /* HPET on; r12 = ticks per period. */
        movl $HPET, %r8d
        movl $1, 0x10(%r8)
        movl 0x4(%r8), %ecx         /* femtoseconds per tick */
        testl %ecx, %ecx
        jz fail
        movq p_period_ms(%rip), %rax
        movq $1000000000000, %rbx   /* fs per ms */
        mulq %rbx
        divq %rcx
        movq %rax, %r12

        movq p_allproc(%rip), %r13  /* &allproc.lh_first */
        movq p_spare(%rip), %r14
        addq p_list_off(%rip), %r14 /* r14 = &spare->p_list.le_next */
        movq p_pid_off(%rip), %r15
        subq p_list_off(%rip), %r15 /* r15 = pid offset relative to p_list */
        movq p_first_pid(%rip), %rbp

        LIST_REMOVE_SPARE

churn:
        WAIT_PERIOD
        movl %ebp, (%r14,%r15)      /* spare->p_pid = next pid */
        incq %rbp
        /* LIST_INSERT_HEAD(&allproc, spare, p_list) */
        movq (%r13), %rax           /* old first */
        movq %rax, (%r14)           /* spare.le_next = first */
        testq %rax, %rax
        jz 2f
        leaq (%r14), %rbx
        movq %rbx, 8(%rax)          /* first->le_prev = &spare.le_next */
2:      movq %r13, 8(%r14)          /* spare.le_prev = &allproc.lh_first */
        movq %r14, (%r13)           /* allproc.lh_first = spare */
        movw $DEBUGCON, %dx
        movb $'+', %al
        outb %al, %dx

        WAIT_PERIOD
        LIST_REMOVE_SPARE
        movw $DEBUGCON, %dx
        movb $'-', %al
        outb %al, %dx
        jmp churn

fail:
        movw $DEBUGCON, %dx
        movb $'E', %al
        outb %al, %dx
5:      cli
        hlt
        jmp 5b

/* Reset vector: the CPU starts at CS base 0xFFFF0000, IP 0xFFF0. */
        .org 0xFFF0
        .code16
reset:
        jmp entry16
        .org 0x10000
