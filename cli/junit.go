package cli

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/argocheck/argocheck/explorer"
)

// JUnit XML, as CI systems read it: one test suite, one test case per
// check. A check fails (a <failure>) when its verdict is not the expected
// one. A check of check, shard or --modular that a bound or a signal
// stopped before any verdict is an <error>, not a <skipped> test case,
// which CI systems count as no failure: it verified nothing, and its exit
// status is not 0.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     float64      `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Time       float64         `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

// junitProperty is a property of a test suite: the argocheck that ran it,
// and the run and the shard of a sharded check (shardProperties).
type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      float64       `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// summaryText is the human summary of r, with its paths.
func summaryText(r *report) string {
	var b strings.Builder
	r.writeText(&b)
	return b.String()
}

// junitName names a check's test case.
func junitName(r *report) string {
	return fmt.Sprintf("%s variant=%s %s", r.System, r.Variant, r.paramText())
}

// reportCase is the test case of a check, passed.
func reportCase(r *report) junitCase {
	return junitCase{Name: junitName(r), Classname: "argocheck." + r.System, Time: r.Seconds, SystemOut: summaryText(r)}
}

// checkCase is the test case of a check that expects a verified verdict:
// a violation is a failure, an incomplete search an error.
func checkCase(r *report) junitCase {
	c := reportCase(r)
	switch r.Verdict {
	case explorer.Violated:
		v := r.Violation
		c.Failure = &junitMessage{Message: fmt.Sprintf("violation (%s): %s", v.Kind, v.Message), Type: v.Kind, Text: summaryText(r)}
	case explorer.Incomplete:
		c.Error = &junitMessage{Message: "incomplete: " + r.Stopped, Type: "incomplete", Text: summaryText(r)}
	}
	return c
}

// shardCase is the test case of the report of a shard other than shard 0:
// a violation is a failure, whose path shard 0's report holds.
func shardCase(r *shardReport) junitCase {
	var b strings.Builder
	r.writeText(&b)
	c := junitCase{Name: junitName(r.rep), Classname: "argocheck." + r.System, Time: r.Seconds, SystemOut: b.String()}
	switch r.Verdict {
	case explorer.Violated:
		c.Failure = &junitMessage{Message: fmt.Sprintf("violation (%s): %s (shard 0's report holds its shortest path)", r.ViolationKind, r.message),
			Type: r.ViolationKind, Text: b.String()}
	case explorer.Incomplete:
		c.Error = &junitMessage{Message: "incomplete", Type: "incomplete", Text: b.String()}
	}
	return c
}

// errorCase is the test case of a check whose search ended in error err,
// not a verdict: r names the check, and holds no figures.
func errorCase(r *report, err error) junitCase {
	c := reportCase(r)
	c.Time, c.SystemOut = 0, ""
	c.Error = &junitMessage{Message: "no verdict: " + err.Error(), Type: "error"}
	return c
}

// notRunCase is the test case of check r that did not run: what ran it
// (the plan, the modular check) stopped before it, for reason why.
func notRunCase(r *report, what string, why error) junitCase {
	c := reportCase(r)
	c.Time, c.SystemOut = 0, ""
	c.Error = &junitMessage{Message: "not run: " + what + " stopped before it: " + why.Error(), Type: "not run"}
	return c
}

// planCase is the test case of a plan's check: it fails when the verdict,
// or a violation's kind or path length, is not the expected one ("expected
// violation:recovery:3, got violation (panic) at 5 steps: ..."), and is an
// error when a signal stopped the check (interrupted) with the verdict
// the line expects (incomplete), which its own bound did not reach.
func planCase(r *report, expected expectation, interrupted bool) junitCase {
	c := reportCase(r)
	if !expected.met(r) {
		msg := fmt.Sprintf("expected %s, got %s", expected, got(r))
		if r.Stopped != "" {
			msg += " (" + r.Stopped + ")"
		}
		if v := r.Violation; v != nil {
			msg += ": " + v.Message
		}
		c.Failure = &junitMessage{Message: msg, Type: "verdict", Text: summaryText(r)}
	} else if interrupted {
		c.Error = &junitMessage{Message: "incomplete: " + r.Stopped, Type: "incomplete", Text: summaryText(r)}
	}
	return c
}

// runProperty names the property that holds the run of a sharded check,
// shardProperty the one that holds the index of the shard that wrote the
// report.
const (
	runProperty   = "argocheck.run"
	shardProperty = "argocheck.shard"
)

// shardProperties are the properties of the JUnit report of a sharded
// check written by the shard whose part is shard (of an error, only its
// index): its run, none when it has none, and the shard's index; none
// for a check that is not sharded (shard nil).
func shardProperties(run string, shard *shardWork) []junitProperty {
	var props []junitProperty
	if run != "" {
		props = append(props, junitProperty{runProperty, run})
	}
	if shard != nil {
		props = append(props, junitProperty{shardProperty, strconv.Itoa(shard.Index)})
	}
	return props
}

// writeJUnit writes cases as one test suite named suite, with argocheck's
// version, its build and more among its properties.
func writeJUnit(w io.Writer, suite string, cases []junitCase, more ...junitProperty) error {
	v := reportVersion()
	s := junitSuite{Name: suite, Tests: len(cases), Cases: cases, Properties: append([]junitProperty{
		{"argocheck.version", v.Version}, {"argocheck.revision", v.Revision}, {"argocheck.modified", strconv.FormatBool(v.Modified)},
		{"argocheck.build", v.Build},
	}, more...)}
	if p := v.Program; p != (program{}) {
		s.Properties = append(s.Properties, junitProperty{"program.command", p.Command}, junitProperty{"program.module", p.Module},
			junitProperty{"program.version", p.Version}, junitProperty{"program.revision", p.Revision}, junitProperty{"program.modified", strconv.FormatBool(p.Modified)})
	}
	for _, c := range cases {
		s.Time += c.Time
		if c.Failure != nil {
			s.Failures++
		}
		if c.Error != nil {
			s.Errors++
		}
	}
	s.Time = round(s.Time, 4)
	doc := junitSuites{Name: suite, Tests: s.Tests, Failures: s.Failures, Errors: s.Errors, Time: s.Time, Suites: []junitSuite{s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
