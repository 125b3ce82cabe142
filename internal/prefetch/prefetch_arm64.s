#include "textflag.h"

// func one(a uintptr)
TEXT ·one(SB), NOSPLIT, $0-8
	MOVD a+0(FP), R0
	PRFM (R0), PLDL1KEEP
	RET

// func lines(addrs *uintptr, n int), n > 0
TEXT ·lines(SB), NOSPLIT, $0-16
	MOVD addrs+0(FP), R0
	MOVD n+8(FP), R1
loop:
	MOVD.P 8(R0), R2
	PRFM (R2), PLDL1KEEP
	SUBS $1, R1, R1
	BNE loop
	RET
