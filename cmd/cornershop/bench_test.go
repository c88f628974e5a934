package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"cornershop/bench"
)

// smallBench is `cornershop bench` at a size a test can afford, with the
// service inside the test process (os.Executable is the test binary).
func smallBench(t testing.TB) bench.Options {
	t.Helper()
	o, err := parseBenchFlags([]string{"--messages", "100", "--conversations", "10", "--rates", "50", "--paced-for", "1s",
		"--reply-customers", "6", "--slack-channels", "2", "--latency", "20ms", "--slow-messages", "50",
		"--large-messages", "1000", "--large-contacts", "100", "--in-process", "--timeout", "60s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o.Dir = t.TempDir()
	return o
}

// TestBenchSmoke runs every scenario small and checks that each measured
// what it should: every message and reply delivered, in order, none
// twice, with figures filled in. It asserts no timing.
func TestBenchSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the emulators and the service through every scenario; skipped with -short")
	}
	o := smallBench(t)
	var out bytes.Buffer
	if err := bench.Run(context.Background(), o, &out, io.Discard); err != nil {
		t.Fatalf("bench: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{"burst", "paced 50/s", "slow platform", "large store", "telegram", "slack", "discord", "targets (2 cores):",
		"repeat: cornershop bench"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	for _, bad := range []string{"missing", "out of order", "duplicates", "error:"} {
		if strings.Contains(text, bad) {
			t.Errorf("the report says %q:\n%s", bad, text)
		}
	}
}

// TestBenchFlags checks the scenario list and sizes are validated.
func TestBenchFlags(t *testing.T) {
	tests := []struct {
		args []string
		ok   bool
	}{
		{nil, true},
		{[]string{"--scenario", "burst,slow"}, true},
		{[]string{"--scenario", "burst,nope"}, false},
		{[]string{"--rates", "50,x"}, false},
		{[]string{"--messages", "10", "--conversations", "20"}, false},
		{[]string{"--replicas", "1,2", "--db", "postgres://x"}, true},
		{[]string{"--replicas", "2"}, false},
		{[]string{"--replicas", "2", "--db", "postgres://x", "--in-process"}, false},
		{[]string{"--replicas", "0"}, false},
		{[]string{"--replicas", "1,2", "--db", "postgres://x", "--telegram-mode", "webhook"}, true},
		{[]string{"--telegram-mode", "push"}, false},
	}
	for _, tc := range tests {
		o, err := parseBenchFlags(tc.args, io.Discard)
		if (err == nil) != tc.ok {
			t.Errorf("%v: err = %v, want ok %v", tc.args, err, tc.ok)
		}
		if err == nil && len(o.Scenarios) == 0 {
			t.Errorf("%v: no scenarios", tc.args)
		}
	}
}
