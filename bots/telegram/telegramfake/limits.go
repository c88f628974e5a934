package telegramfake

import (
	"time"

	"golang.org/x/time/rate"
)

// limiter enforces Telegram's published flood limits and remembers the
// retry_after windows it announced.
type limiter struct {
	global     *rate.Limiter
	perChat    map[string]*rate.Limiter
	perGroup   map[string]*rate.Limiter
	blocked    map[string]time.Time // chat id ("" = global) -> allowed again at
	violations int
}

func newLimiter() *limiter {
	return &limiter{
		global:   rate.NewLimiter(30, 30),
		perChat:  map[string]*rate.Limiter{},
		perGroup: map[string]*rate.Limiter{},
		blocked:  map[string]time.Time{},
	}
}

// violated reports how long chat must still wait, counting a violation when
// the client did not wait as told.
func (l *limiter) violated(chat string, now time.Time) time.Duration {
	for _, key := range []string{chat, ""} {
		if until, ok := l.blocked[key]; ok {
			if now.Before(until) {
				l.violations++
				return until.Sub(now)
			}
			delete(l.blocked, key)
		}
	}
	return 0
}

func (l *limiter) block(chat string, now time.Time, d time.Duration) {
	l.blocked[chat] = now.Add(d)
}

// take spends one message of chat's budget and returns how long to wait
// when there is none: ~1/s per chat with short bursts, 20/min per group,
// 30/s overall.
func (l *limiter) take(chat string, group bool, now time.Time) time.Duration {
	pc, ok := l.perChat[chat]
	if !ok {
		pc = rate.NewLimiter(1, 3)
		l.perChat[chat] = pc
	}
	lims := []*rate.Limiter{l.global, pc}
	if group {
		pg, ok := l.perGroup[chat]
		if !ok {
			pg = rate.NewLimiter(rate.Every(3*time.Second), 20)
			l.perGroup[chat] = pg
		}
		lims = append(lims, pg)
	}
	for _, lim := range lims {
		if r := lim.ReserveN(now, 1); r.DelayFrom(now) > 0 {
			d := r.DelayFrom(now)
			r.CancelAt(now)
			return d
		}
	}
	return 0
}
