package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// smallBench is `cornershop bench` at a size a test can afford, with the
// service inside the test process (os.Executable is the test binary).
func smallBench(t testing.TB) benchOptions {
	t.Helper()
	o, err := parseBenchFlags([]string{"--messages", "100", "--conversations", "10", "--rates", "50", "--paced-for", "1s",
		"--reply-customers", "6", "--slack-channels", "2", "--latency", "20ms", "--slow-messages", "50",
		"--large-messages", "1000", "--large-contacts", "100", "--in-process", "--timeout", "60s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o.dir = t.TempDir()
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
	if err := cmdBenchWith(context.Background(), o, &out, io.Discard); err != nil {
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
	}
	for _, tc := range tests {
		o, err := parseBenchFlags(tc.args, io.Discard)
		if (err == nil) != tc.ok {
			t.Errorf("%v: err = %v, want ok %v", tc.args, err, tc.ok)
		}
		if err == nil && len(o.scenarios) == 0 {
			t.Errorf("%v: no scenarios", tc.args)
		}
	}
}

func TestPercentiles(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	got := percentiles(d)
	want := [4]time.Duration{50 * time.Millisecond, 90 * time.Millisecond, 99 * time.Millisecond, 100 * time.Millisecond}
	if got != want {
		t.Errorf("percentiles = %v, want %v", got, want)
	}
	if seqAfter("x bench 42: hi", customerMarker) != 42 || seqAfter("nothing", customerMarker) != -1 {
		t.Error("seqAfter")
	}
}

// BenchmarkBurst is scenario 1 at a small size (500 messages over 50
// conversations), the service in-process; it reports the end-to-end rate
// and p99.
func BenchmarkBurst(b *testing.B) {
	o := smallBench(b)
	for range b.N {
		r := runBurst(context.Background(), o, "burst", 500, 50, nil)
		if r.err != nil {
			b.Fatal(r.err)
		}
		b.ReportMetric(r.rate, "msgs/s")
		b.ReportMetric(float64(r.lat[2])/float64(time.Millisecond), "p99-ms")
	}
}

// BenchmarkSlowPlatform is scenario 4 small: 500 messages over 50
// conversations, every emulator call answered after 50 ms.
func BenchmarkSlowPlatform(b *testing.B) {
	o := smallBench(b)
	for range b.N {
		r := runBurst(context.Background(), o, "slow platform", 500, 50, func(r *rig) error { r.latency(50 * time.Millisecond); return nil })
		if r.err != nil || r.disorder > 0 {
			b.Fatalf("%v, %d out of order", r.err, r.disorder)
		}
		b.ReportMetric(r.rate, "msgs/s")
	}
}
