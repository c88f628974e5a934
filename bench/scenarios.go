package bench

import (
	"context"
	"fmt"
	"time"

	"cornershop/bots/telegram/telegramfake"
)

// result is one line of the bench's table.
type result struct {
	name string
	msgs int
	// rate is messages per second from the first customer message reaching
	// its platform to the last copy reaching the desk.
	rate float64
	// recorded is messages per second from the first customer message to
	// the moment Telegram was told the last one was recorded (committed).
	recorded float64
	lat      [4]time.Duration // p50, p90, p99, max: customer's platform -> desk
	cpuPer1k float64          // service CPU seconds per 1,000 messages
	rss      int64            // the service's peak RSS so far
	raw      float64          // raw batched inserts of the same rows, msgs/s
	missing  int
	disorder int // copies posted before an earlier message of their conversation
	dups     int
	// replicas is what each replica did, when several shared the database.
	replicas []replicaShare
	err      error
}

// customers returns n Telegram customers, creating those missing.
func (r *rig) customers(n int) []telegramfake.User {
	for len(r.tgUsers) < n {
		i := len(r.tgUsers)
		r.tgUsers = append(r.tgUsers, r.tg.AddUser(fmt.Sprintf("Customer%d", i), "Bench", fmt.Sprintf("customer%d", i)))
	}
	return r.tgUsers[:n]
}

// send makes customer seq%convs write message seq on Telegram.
func (r *rig) send(users []telegramfake.User, seq int) error {
	u := users[seq%len(users)]
	m, err := r.tg.SendText(u.ID, 0, u, customerText(seq))
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	r.rec.sentAt(seq, m.Date)
	return nil
}

// measure runs traffic (customer messages [from, from+n)) against svc and
// waits for every desk copy, then fills in a result.
func (r *rig) measure(ctx context.Context, svc *replicaSet, name string, from, n int, traffic func() error) result {
	res := result{name: name, msgs: n}
	done := r.rec.expect(n)
	cpu0, _ := svc.usage()
	each0 := svc.cpu()
	if err := traffic(); err != nil {
		res.err = err
		return res
	}
	res.err = wait(ctx, done, r.o.Timeout, name, r.rec.missing)
	cpu1, rss := svc.usage()
	res.missing = r.rec.missing()
	lat, first, last := r.rec.latencies(from, from+n)
	if len(lat) > 0 && last.After(first) {
		res.rate = float64(len(lat)) / last.Sub(first).Seconds()
	}
	if acked := r.rec.acked(); acked.After(first) {
		res.recorded = float64(n) / acked.Sub(first).Seconds()
	}
	res.lat = percentiles(lat)
	res.cpuPer1k = (cpu1 - cpu0).Seconds() * 1000 / float64(n)
	res.rss = rss
	if len(svc.members) > 1 {
		var err error
		if res.replicas, err = svc.settledShares(ctx, each0); err != nil && res.err == nil {
			res.err = err
		}
	}
	return res
}

// burstTraffic sends messages [from, from+n) as fast as the emulator takes
// them, round robin over the customers.
func (r *rig) burstTraffic(users []telegramfake.User, from, n int) func() error {
	return func() error {
		for seq := from; seq < from+n; seq++ {
			if err := r.send(users, seq); err != nil {
				return err
			}
		}
		return nil
	}
}

// pacedTraffic sends messages [from, from+n) at rate per second.
func (r *rig) pacedTraffic(users []telegramfake.User, from, n, rate int) func() error {
	return func() error {
		began := time.Now()
		for i := range n {
			if d := time.Until(began.Add(time.Duration(i) * time.Second / time.Duration(rate))); d > 0 {
				time.Sleep(d)
			}
			if err := r.send(users, from+i); err != nil {
				return err
			}
		}
		return nil
	}
}

// runBurst is scenarios 1, 4 and 5: n messages at once across convs
// Telegram conversations into the Slack desk, with replicas services
// sharing the database. prepare runs before the service starts (seeding,
// latency).
func runBurst(ctx context.Context, o Options, name string, n, convs, replicas int, prepare func(*rig) error) result {
	if replicas > 1 {
		name = fmt.Sprintf("%s, %d replicas", name, replicas)
	}
	r, err := newRig(ctx, o, name)
	if err != nil {
		return result{name: name, err: err}
	}
	defer r.close()
	if prepare != nil {
		if err := prepare(r); err != nil {
			return result{name: name, err: err}
		}
	}
	users := r.customers(convs)
	svc, err := r.start(ctx, serviceSetup{replicas: replicas})
	if err != nil {
		return result{name: name, err: err}
	}
	res := r.measure(ctx, svc, name, 0, n, r.burstTraffic(users, 0, n))
	res.disorder, res.dups = r.rec.outOfOrder(), r.rec.dupCount()
	if err := svc.stop(); err != nil && res.err == nil {
		res.err = err
	}
	r.latency(0)
	if res.raw, err = rawInsertRate(ctx, r, n); err != nil && res.err == nil {
		res.err = err
	}
	return res
}

// runPaced is scenario 2: after one unmeasured message per conversation
// (opening the desk threads), each rate for o.PacedFor.
func runPaced(ctx context.Context, o Options) []result {
	r, err := newRig(ctx, o, "paced")
	if err != nil {
		return []result{{name: "paced", err: err}}
	}
	defer r.close()
	users := r.customers(o.Conversations)
	svc, err := r.start(ctx, serviceSetup{})
	if err != nil {
		return []result{{name: "paced", err: err}}
	}
	defer svc.stop()
	warm := r.measure(ctx, svc, "paced warm-up", 0, o.Conversations, r.burstTraffic(users, 0, o.Conversations))
	if warm.err != nil {
		return []result{warm}
	}
	var out []result
	from := o.Conversations
	for _, rate := range o.Rates {
		n := int(float64(rate) * o.PacedFor.Seconds())
		name := fmt.Sprintf("paced %d/s", rate)
		res := r.measure(ctx, svc, name, from, n, r.pacedTraffic(users, from, n, rate))
		// A paced run lasts as long as its pacing: the rate column is the
		// offered rate achieved, not a capacity.
		out = append(out, res)
		from += n
		if res.err != nil {
			break
		}
	}
	return out
}
