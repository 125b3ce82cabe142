package viz

import (
	"fmt"
	"io"
	"strings"

	"github.com/argocheck/argocheck/model"
)

// WriteDOT writes p as a Graphviz digraph: for each path a cluster whose
// nodes are the states along it and whose edges are its steps; crash
// edges are dashed, recovery runs green, and the failing step leads to a
// red node that states the failed check.
func WriteDOT(w io.Writer, p Page) error {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph argocheck {\n")
	fmt.Fprintf(&b, "  label=%s;\n  labelloc=t;\n  fontname=\"Helvetica\";\n", dotQuote(strings.TrimSpace(p.Title+"\n"+p.Subtitle)))
	fmt.Fprintf(&b, "  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Courier\", fontsize=10];\n")
	fmt.Fprintf(&b, "  edge [fontname=\"Courier\", fontsize=10];\n")
	for i, path := range p.Paths {
		fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=%s;\n    color=\"#d5dae3\";\n", i, dotQuote(path.Title))
		steps := path.Trace.Steps
		for j, s := range steps {
			id := fmt.Sprintf("p%d_%d", i, j)
			if s.Violation != nil {
				fmt.Fprintf(&b, "    %s [shape=octagon, color=\"#d02a2a\", fillcolor=\"#fdeeee\", label=%s];\n",
					id, dotQuote(fmt.Sprintf("check failed (%s)\n%s", s.Violation.Kind, wrap(s.Violation.Message, 60))))
			} else {
				fill := "white"
				if s.Node.Recovering {
					fill = "#fff4e5"
				}
				fmt.Fprintf(&b, "    %s [fillcolor=%s, label=%s];\n", id, dotQuote(fill), dotQuote(nodeLabel(s.Node)))
			}
			if j == 0 {
				continue
			}
			color, style := "#2f6fdb", "solid"
			switch s.Kind {
			case model.StepCrashInOp, model.StepCrash, model.StepCrashInRecovery:
				color, style = "#e07b00", "dashed"
			case model.StepRecover:
				color = "#1e9e63"
			}
			if s.Violation != nil {
				color = "#d02a2a"
			}
			fmt.Fprintf(&b, "    p%d_%d -> %s [color=%s, fontcolor=%s, style=%s, label=%s];\n",
				i, j-1, id, dotQuote(color), dotQuote(color), style, dotQuote(edgeLabel(j, &s)))
		}
		fmt.Fprintf(&b, "  }\n")
	}
	fmt.Fprintf(&b, "}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func nodeLabel(v model.NodeView) string {
	if v.Recovering {
		return fmt.Sprintf("recovering\nlower %s\nallowed {%s}", v.Lower, strings.Join(v.Allowed, ", "))
	}
	return fmt.Sprintf("idle\nlower %s\nabstract %s", v.Lower, v.Abstract)
}

// edgeLabel is the step's headline and its primitive steps, one a line.
func edgeLabel(i int, s *model.Step) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d. %s", i, kindLabels[s.Kind])
	if s.Op != "" {
		fmt.Fprintf(&b, " %s", s.Op)
	}
	if s.Ret != "" && s.Kind == model.StepOp {
		fmt.Fprintf(&b, " -> %s", s.Ret)
	}
	n := 1
	for _, c := range s.Calls {
		var num, op string
		num, op, n = callLabel(n, c)
		fmt.Fprintf(&b, "\n  %s %s -> %s", num, op, c.Ret)
	}
	if s.Kind == model.StepCrashInOp || s.Kind == model.StepCrashInRecovery {
		fmt.Fprintf(&b, "\n  crash after %d of %d", s.CrashAfter, s.Total)
	}
	return b.String()
}

// dotQuote quotes s as a DOT string whose lines are left-aligned.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\l`)
	q := r.Replace(s)
	if strings.Contains(s, "\n") {
		q += `\l`
	}
	return `"` + q + `"`
}

// wrap breaks s into lines of at most width bytes at spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		if i > 0 {
			if n+1+len(w) > width {
				b.WriteByte('\n')
				n = 0
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// callLabel numbers and names call c, whose first step is the n-th of its
// run, as a path's text does: a repeated call is one row, numbered
// "2-9991" and named "read(d0, 0) x9990". It returns the number of the
// step after it.
func callLabel(n int, c model.Call) (num, op string, next int) {
	if c.Repeat > 1 {
		return fmt.Sprintf("%d-%d", n, n+c.Repeat-1), fmt.Sprintf("%s x%d", c.Op, c.Repeat), n + c.Repeat
	}
	return fmt.Sprint(n), c.Op, n + 1
}
