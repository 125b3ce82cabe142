#include "textflag.h"

// func one(a uintptr)
TEXT ·one(SB), NOSPLIT, $0-8
	MOVQ a+0(FP), AX
	PREFETCHT0 (AX)
	RET

// func lines(addrs *uintptr, n int), n > 0
TEXT ·lines(SB), NOSPLIT, $0-16
	MOVQ addrs+0(FP), SI
	MOVQ n+8(FP), CX
loop:
	MOVQ (SI), AX
	PREFETCHT0 (AX)
	ADDQ $8, SI
	DECQ CX
	JNE loop
	RET
