// Package relations is an algebra of transition relations, made
// executable over finite state spaces, and an oracle that decides recovery
// refinement with it, independently of the explorer's search.
//
// A relation (Rel) maps a state to the finite set of its outcomes, each an
// output value and a state; states are canonical encodings held in
// strings. The combinators are Pure and Identity, Seq (bind) and Then,
// Or, Star (reflexive-transitive closure), Test, Any; Included and Equal
// decide inclusion and equality over a finite domain. They are written for
// clarity, not speed: the oracle runs on small configurations.
//
// Procedures are given by their runs (model.Semantics), and their
// semantics (semantics.go) is written directly with these combinators:
// Exec (completed runs), ExecCrash (a crash after any prefix of a run),
// ExecRecover (crashes during recovery restart it, any number of times,
// until it completes), Rexec (an operation interrupted by a crash, then
// recovery), and the composed recovery of a stack, where a crash anywhere
// restarts the bottom layer's recovery. Check decides the three obligations of recovery refinement as
// inclusions of relations over the reachable lower states.
package relations
