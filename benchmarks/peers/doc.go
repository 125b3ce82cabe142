// Package peers holds the replicated disk modelled for two other model
// checkers, SPIN (repdisk.pml) and Rumur, a Murphi checker (repdisk.mur),
// with argocheck's semantics node for node, and compare.sh, which times
// the three side by side. Its test, run on request (-peers or
// ARGOCHECK_PEERS=1), checks that the three agree.
package peers
