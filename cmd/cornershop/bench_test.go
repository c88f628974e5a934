package main

import (
	"bytes"
	"context"
	"io"
	"os"
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

// TestBenchReplicas runs the burst with two `cornershop serve` processes on
// one PostgreSQL schema and checks the per-replica figures add up: every
// copy arrived once and in order, one replica holds each connection, and
// the replicas' deliveries together are every card and every copy.
func TestBenchReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two service processes; skipped with -short, runs in the full suite (CI)")
	}
	dsn := os.Getenv("CORNERSHOP_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("CORNERSHOP_TEST_POSTGRES_DSN not set; the replicas bench needs PostgreSQL and runs in CI")
	}
	o, err := parseBenchFlags([]string{"--db", dsn, "--replicas", "2", "--scenario", "burst", "--timeout", "60s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o.dir, o.exe = t.TempDir(), cornershopBinary(t)
	const msgs, convs = 300, 30
	r := runBurst(context.Background(), o, "burst", msgs, convs, 2, nil)
	if r.err != nil || r.missing > 0 || r.dups > 0 || r.disorder > 0 {
		t.Fatalf("burst: err %v, %d missing, %d duplicates, %d out of order", r.err, r.missing, r.dups, r.disorder)
	}
	if r.name != "burst, 2 replicas" || len(r.replicas) != 2 {
		t.Fatalf("result %q with %d replica shares, want 2", r.name, len(r.replicas))
	}
	holders := map[string]int{}
	total := 0
	for _, s := range r.replicas {
		total += s.delivered
		for _, h := range s.holds {
			holders[h]++
		}
	}
	if total != msgs+convs {
		t.Errorf("replicas delivered %d in all, want %d (a card and the copies per conversation)", total, msgs+convs)
	}
	for _, p := range []string{"telegram", "slack"} {
		if holders[p] != 1 {
			t.Errorf("%s held by %d replicas, want 1 (shares %+v)", p, holders[p], r.replicas)
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
		r := runBurst(context.Background(), o, "burst", 500, 50, 1, nil)
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
		r := runBurst(context.Background(), o, "slow platform", 500, 50, 1, func(r *rig) error { r.latency(50 * time.Millisecond); return nil })
		if r.err != nil || r.disorder > 0 {
			b.Fatalf("%v, %d out of order", r.err, r.disorder)
		}
		b.ReportMetric(r.rate, "msgs/s")
	}
}
