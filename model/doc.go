// Package model defines what argocheck checks: layer specifications,
// implementations of one layer on another written in plain Go, abstraction
// relations, and the executor that runs implementation code against a
// lower-layer specification.
//
// A Spec is a layer: states, operations with a nondeterministic step
// relation, a crash relation and initial states. Nondeterminism is
// expressed by asking a Chooser; the executor enumerates every answer by
// replaying with recorded choices.
//
// An Impl builds the Go interface of an upper layer on the Go interface of a
// lower one, and gives a recovery procedure. Implementation code reaches the
// lower layer only through that interface: when the lower layer is a Spec,
// the executor hands it a handle (a Machine) that turns each call into one
// step of the spec, recording a crash snapshot before it; when the lower
// layer is itself an implementation, the interface is that implementation
// (Compose), so composition is plain Go calls.
//
// A System ties a lower layer, an upper layer, an implementation and an
// abstraction relation into a refinement check. Its Workers expand the
// nodes of the state graph (Idle and Recovering, as in DESIGN.md section 3)
// into encoded successors and report Violations; the explorer package
// searches that graph without knowing any layer.
package model
