// Package peers holds argocheck's systems modelled for two other model
// checkers with argocheck's semantics node for node: the replicated disk
// for SPIN (repdisk.pml) and Rumur, a Murphi checker (repdisk.mur), and the
// write-ahead log and the log on the replicated disk for SPIN (log.pml,
// log_repdisk.pml, both including wal.pml); and compare.sh, which times
// the tools side by side and prints the speed goals. Its test, run on
// request (-peers or ARGOCHECK_PEERS=1), checks that the tools agree.
package peers
