// Package kv is a key-value store checked with argocheck: a layer of its
// own (the specification in spec.go) implemented on one disk with a log
// of records and a commit pointer (store.go), with deliberately broken
// variants. docs/tutorial.md walks through it.
package kv

import (
	"fmt"

	"github.com/argocheck/argocheck/model"
)

// MaxKeys is the most keys a store holds.
const MaxKeys = 4

// State is the value of every key; keys never put hold 0.
type State [MaxKeys]uint8

// Op is get(Key), or put(Key, Val) when Put is set.
type Op struct {
	Put      bool
	Key, Val uint8
}

// String renders the operation as paths show it: "get(1)", "put(1, 0)".
func (op Op) String() string {
	if op.Put {
		return fmt.Sprintf("put(%d, %d)", op.Key, op.Val)
	}
	return fmt.Sprintf("get(%d)", op.Key)
}

// Ret is a get's value, OK for a put that stored its value, or Full for a
// put that found no room.
type Ret struct {
	Val  uint8
	OK   bool
	Full bool
}

// String renders the result as paths show it: a value, "ok" or "full".
func (r Ret) String() string {
	switch {
	case r.OK:
		return "ok"
	case r.Full:
		return "full"
	}
	return fmt.Sprint(r.Val)
}

// Spec is the key-value store's specification: keys 0..Keys-1 hold
// values 0..Values-1. A put may fail, changing nothing, whenever the
// store is full, and the specification does not say when that is. A
// crash loses nothing: a put is durable once it returns.
type Spec struct {
	model.Codec[State]
	Keys, Values int
}

// NewSpec returns the specification of a store of keys keys holding
// values 0..values-1.
func NewSpec(keys, values int) Spec {
	return Spec{Codec: model.NewCodec[State](), Keys: keys, Values: values}
}

// Init returns the one initial state: every key holds 0.
func (Spec) Init() []State { return []State{{}} }

// Ops returns get of every key and put of every key and value.
func (sp Spec) Ops() []Op {
	var ops []Op
	for k := range sp.Keys {
		ops = append(ops, Op{Key: uint8(k)})
		for v := range sp.Values {
			ops = append(ops, Op{Put: true, Key: uint8(k), Val: uint8(v)})
		}
	}
	return ops
}

// Step runs op on *s. A put either stores its value or fails with Full
// and changes nothing: c chooses which.
func (Spec) Step(s *State, op Op, c model.Chooser) Ret {
	if !op.Put {
		return Ret{Val: s[op.Key]}
	}
	if c.Choose(2) == 1 {
		return Ret{Full: true}
	}
	s[op.Key] = op.Val
	return Ret{OK: true}
}

// Crash changes nothing: every put that returned is durable.
func (Spec) Crash(*State, model.Chooser) {}

// Format renders the values of the store's keys, key 0 first: "[1 0]".
func (sp Spec) Format(s *State) string {
	return fmt.Sprint(s[:sp.Keys])
}
