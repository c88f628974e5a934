package bench

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"cornershop/bots/bottest"
)

// replicasDSN is the PostgreSQL the two-replica tests share, or a skip:
// they run two service processes (not with -short) on PostgreSQL.
func replicasDSN(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs two service processes; skipped with -short, runs in the full suite (CI)")
	}
	dsn := os.Getenv("CORNERSHOP_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("CORNERSHOP_TEST_POSTGRES_DSN not set; the replicas bench needs PostgreSQL and runs in CI")
	}
	return dsn
}

// TestBenchReplicas runs the burst with two `cornershop serve` processes on
// one PostgreSQL schema and checks the per-replica figures add up: every
// copy arrived once and in order, one replica holds each connection, and
// the replicas' deliveries together are every card and every copy.
func TestBenchReplicas(t *testing.T) {
	dsn := replicasDSN(t)
	o := Options{DB: dsn, Replicas: []int{2}, Scenarios: []string{"burst"}, Timeout: 60 * time.Second, Dir: t.TempDir(), Exe: cornershopBinary(t)}
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

// TestBenchReplicasWebhook runs the two-replica burst with Telegram in
// webhook mode behind the bench's round-robin balancer: every copy arrives
// once and in order per conversation, and both replicas record customer
// messages (receive Telegram's pushes), which polling cannot do.
func TestBenchReplicasWebhook(t *testing.T) {
	dsn := replicasDSN(t)
	o := Options{DB: dsn, Replicas: []int{2}, Scenarios: []string{"burst"}, Timeout: 60 * time.Second, Dir: t.TempDir(),
		Exe: cornershopBinary(t), TelegramMode: "webhook"}
	const msgs, convs = 200, 20
	r := runBurst(context.Background(), o, "burst", msgs, convs, 2, nil)
	if r.err != nil || r.missing > 0 || r.dups > 0 || r.disorder > 0 {
		t.Fatalf("burst: err %v, %d missing, %d duplicates, %d out of order", r.err, r.missing, r.dups, r.disorder)
	}
	if len(r.replicas) != 2 || r.recorded <= 0 {
		t.Fatalf("%d replica shares, recorded/s %.0f", len(r.replicas), r.recorded)
	}
	recorded, pushes, delivered := 0, 0, 0
	for i, s := range r.replicas {
		if s.recorded == 0 || s.pushes <= 0 {
			t.Errorf("replica %d recorded %d customer messages from %d pushes, want some (shares %+v)", i+1, s.recorded, s.pushes, r.replicas)
		}
		if !slices.Contains(s.receives, "telegram") || slices.Contains(s.holds, "telegram") {
			t.Errorf("replica %d holds %v, receives pushes of %v: want Telegram pushes received, no connection", i+1, s.holds, s.receives)
		}
		recorded += s.recorded
		pushes += s.pushes
		delivered += s.delivered
	}
	if recorded != msgs || pushes != msgs {
		t.Errorf("replicas recorded %d customer messages from %d pushes answered 2xx, want %d each", recorded, pushes, msgs)
	}
	if delivered != msgs+convs {
		t.Errorf("replicas delivered %d in all, want %d (a card and the copies per conversation)", delivered, msgs+convs)
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

// smallBench is a run at a size a test can afford, the service a child
// process of the cornershop binary built for the test.
func smallBench(t testing.TB) Options {
	t.Helper()
	return Options{Timeout: 60 * time.Second, Dir: t.TempDir(), Exe: cornershopBinary(t)}
}

// builtBinary is the cornershop binary the tests run, built once.
var builtBinary bottest.Binary

// cornershopBinary builds cmd/cornershop once per test binary.
func cornershopBinary(t testing.TB) string {
	t.Helper()
	return builtBinary.Path(t)
}

func TestMain(m *testing.M) {
	code := m.Run()
	builtBinary.Remove()
	os.Exit(code)
}
