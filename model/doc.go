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
// abstraction relation into a refinement check (NewSystem). Its state
// graph has two kinds of node: Idle(c, a), between operations, with lower
// state c and abstract state a related by the relation; and
// Recovering(c, S), after a crash, with lower state c and S the abstract
// states recovery may end in. From an Idle node every operation runs over
// every choice of the lower layer: a completed run must match a step of
// the upper specification (rule 1); a crash before any of its primitive
// steps leads to Recovering with the crash images of the states before and
// after the operation (rule 2); a crash between operations leads to
// Recovering with the crash images of a (rule 3). From a Recovering node
// recovery runs: it must end related to a member of S, and a crash during
// it leads back to Recovering with the same S, so crashes nest to any
// depth.
//
// The System's Workers expand these nodes into encoded successors and
// report Violations, each edge with its ordinal in the node's expansion,
// to an Emitter; the explorer package searches the graph without knowing
// any layer. A worker records what recovery from a lower state does, stage
// by stage for a composed recovery, and expands later Recovering nodes
// with that state from the record: the same edges, in the same order. A
// run that meets an earlier run of the same enumeration (the same
// results, and the same state after the next step, computed on the spec)
// is not run: its edges are the earlier run's again (join.go). Layer code
// must be deterministic, and the workers check it (Determinism).
//
// Limits: a Recovering node's allowed set holds at most MaxAllowed
// abstract states; the abstraction relation is a partial function, one abstract
// state for a lower state, or none; a procedure run makes at most
// StepLimit primitive calls.
package model
