package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// replicaSet is the service under measurement: one `cornershop serve`, or
// several sharing one PostgreSQL database.
type replicaSet struct {
	members []member
	lb      *balancer // in front of the members in Telegram webhook mode, else nil
}

// member is one replica and the address of its HTTP server.
type member struct {
	service
	listen string
}

// replicaShare is what one replica did during a measurement.
type replicaShare struct {
	holds     []string // the platform connections it held at the end
	receives  []string // the platforms whose pushes it receives (webhook mode)
	delivered int      // deliveries it made (every platform and operation)
	// recorded is the Telegram messages it recorded (customer messages);
	// pushes the webhook pushes the balancer sent it that it answered 2xx
	// (-1 without a balancer).
	recorded int
	pushes   int
	cpu      time.Duration // CPU time it used during the measurement
}

// usage is the replicas' CPU time together and the largest peak RSS among
// them: each replica is a process of its own.
func (s *replicaSet) usage() (time.Duration, int64) {
	var cpu time.Duration
	var rss int64
	for _, m := range s.members {
		c, r := m.usage()
		cpu += c
		rss = max(rss, r)
	}
	return cpu, rss
}

// stop stops every replica at once, each draining what it holds.
func (s *replicaSet) stop() error {
	errs := make([]error, len(s.members))
	var wg sync.WaitGroup
	for i, m := range s.members {
		wg.Go(func() { errs[i] = m.stop() })
	}
	wg.Wait()
	if s.lb != nil {
		s.lb.close()
	}
	return errors.Join(errs...)
}

func (s *replicaSet) healthy(ctx context.Context) bool {
	for _, m := range s.members {
		if !healthy(ctx, m.listen) {
			return false
		}
	}
	return true
}

// cpu is each replica's CPU time so far.
func (s *replicaSet) cpu() []time.Duration {
	out := make([]time.Duration, len(s.members))
	for i, m := range s.members {
		out[i], _ = m.usage()
	}
	return out
}

// shares asks each replica what it holds (/readyz), how many deliveries
// it has made and Telegram messages it has recorded (/metrics), and
// charges it the CPU time it used since cpu0 (from cpu).
func (s *replicaSet) shares(ctx context.Context, cpu0 []time.Duration) ([]replicaShare, error) {
	out := make([]replicaShare, len(s.members))
	var pushes []int
	if s.lb != nil {
		pushes = s.lb.answered()
	}
	for i, m := range s.members {
		out[i].pushes = -1
		if i < len(pushes) {
			out[i].pushes = pushes[i]
		}
		ready, err := fetch(ctx, m.listen, "/readyz")
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(ready, "\n") {
			if name, ok := strings.CutSuffix(line, ": connected here"); ok {
				out[i].holds = append(out[i].holds, name)
			}
			if name, ok := strings.CutSuffix(line, ": receiving pushes here"); ok {
				out[i].receives = append(out[i].receives, name)
			}
		}
		text, err := fetch(ctx, m.listen, "/metrics")
		if err != nil {
			return nil, err
		}
		if out[i].delivered, out[i].recorded, err = counts(text); err != nil {
			return nil, fmt.Errorf("bench: replica %d's metrics: %w", i+1, err)
		}
		c, _ := m.usage()
		out[i].cpu = c - cpu0[i]
	}
	return out, nil
}

// settledShares is shares once the replicas have recorded the deliveries
// the emulators already answered: two readings 300 ms apart agree (or 10 s
// have passed).
func (s *replicaSet) settledShares(ctx context.Context, cpu0 []time.Duration) ([]replicaShare, error) {
	total := func(sh []replicaShare) (n int) {
		for _, x := range sh {
			n += x.delivered + x.recorded
		}
		return n
	}
	deadline := time.Now().Add(10 * time.Second)
	prev, err := s.shares(ctx, cpu0)
	for err == nil && time.Now().Before(deadline) {
		time.Sleep(300 * time.Millisecond)
		var next []replicaShare
		if next, err = s.shares(ctx, cpu0); err == nil && total(next) == total(prev) {
			return next, nil
		}
		prev = next
	}
	return prev, err
}

// counts reads a Prometheus text exposition: delivered sums
// cornershop_delivery_attempts_total{outcome="delivered"}, recorded is
// cornershop_events_total{platform="telegram",kind="message"}.
func counts(exposition string) (delivered, recorded int, err error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(exposition))
	if err != nil {
		return 0, 0, err
	}
	sum := func(name string, match map[string]string) int {
		var n float64
		for _, m := range fams[name].GetMetric() { // a missing family: nothing counted yet
			hits := 0
			for _, l := range m.GetLabel() {
				if v, ok := match[l.GetName()]; ok && v == l.GetValue() {
					hits++
				}
			}
			if hits == len(match) {
				n += m.GetCounter().GetValue()
			}
		}
		return int(n)
	}
	return sum("cornershop_delivery_attempts_total", map[string]string{"outcome": "delivered"}),
		sum("cornershop_events_total", map[string]string{"platform": "telegram", "kind": "message"}), nil
}

// fetch fetches path from the replica at listen and returns the body of a
// 200 answer.
func fetch(ctx context.Context, listen, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+listen+path, nil)
	if err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("bench: %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("bench: %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("bench: %s answered %s", path, resp.Status)
	}
	return string(b), nil
}
