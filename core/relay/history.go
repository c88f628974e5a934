package relay

import (
	"context"
	"fmt"
	"time"

	"cornershop/core"
)

var _ core.HistoryInbox = (*Service)(nil)

// Marks implements core.HistoryInbox.
func (s *Service) Marks(ctx context.Context, platform core.PlatformName, since time.Time) ([]core.Mark, error) {
	var out []core.Mark
	err := s.store.InTx(ctx, func(tx core.Tx) error {
		var err error
		out, err = tx.Marks(platform, since)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("relay: marks: %w", err)
	}
	return out, nil
}
