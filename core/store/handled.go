package store

import (
	"time"

	"cornershop/core"
)

// handledRow is one request acted on: its platform and identity.
type handledRow struct {
	Platform string `gorm:"primaryKey"`
	Key      string `gorm:"primaryKey"`
	SeenAt   time.Time
}

func (handledRow) TableName() string { return "handled_requests" }

// MarkHandled inserts the key and skips it when taken (ON CONFLICT DO
// NOTHING), so the transaction stays usable on PostgreSQL. There a
// concurrent insert of the same key waits for the other transaction and
// then inserts nothing if it committed.
func (t *tx) MarkHandled(platform core.PlatformName, key string, at time.Time) (bool, error) {
	if at.IsZero() {
		at = t.now()
	}
	res := t.db.Clauses(ignoreDup).Create(&handledRow{Platform: string(platform), Key: key, SeenAt: dbTime(at)})
	if res.Error != nil {
		return false, mapErr("mark handled", res.Error)
	}
	return res.RowsAffected == 1, nil
}

func (t *tx) PruneHandled(before time.Time) (int64, error) {
	res := t.db.Where("seen_at < ?", dbTime(before)).Delete(&handledRow{})
	if res.Error != nil {
		return 0, mapErr("prune handled", res.Error)
	}
	return res.RowsAffected, nil
}
