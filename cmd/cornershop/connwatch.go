package main

import (
	"context"
	"log/slog"
	"time"
)

// connWatchEvery is how often watchConnection looks at an adapter.
const connWatchEvery = 200 * time.Millisecond

// watchConnection logs one line when ad connects and one when its
// connection is lost, and keeps connected (if not nil) up to date, until
// ctx ends. Adapters say only whether they are ready, so it looks every
// connWatchEvery; a drop and reconnect within that may go unseen.
func watchConnection(ctx context.Context, ad adapter, log *slog.Logger, connected func(bool)) {
	t := time.NewTicker(connWatchEvery)
	defer t.Stop()
	was := false
	for ctx.Err() == nil {
		if now := ad.Ready(); now != was {
			if now {
				log.Info("platform connected", "platform", string(ad.Name()))
			} else {
				log.Info("platform connection lost", "platform", string(ad.Name()))
			}
			was = now
			if connected != nil {
				connected(now)
			}
		}
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
}
