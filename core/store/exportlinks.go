package store

import (
	"fmt"
	"time"

	"cornershop/core"
)

// exportLinkRow is one one-time export download link: the SHA-256 of its
// token, never the token.
type exportLinkRow struct {
	Hash      string `gorm:"primaryKey"`
	ContactID int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (exportLinkRow) TableName() string { return "export_links" }

func (r exportLinkRow) link() core.ExportLink {
	l := core.ExportLink{Hash: r.Hash, Contact: core.ContactID(r.ContactID), CreatedAt: fromDBTime(r.CreatedAt), ExpiresAt: fromDBTime(r.ExpiresAt)}
	if r.UsedAt != nil {
		l.UsedAt = fromDBTime(*r.UsedAt)
	}
	return l
}

func (t *tx) SaveExportLink(l core.ExportLink) error {
	if l.Hash == "" || l.Contact == 0 {
		return fmt.Errorf("save export link: hash and contact are required: %w", core.ErrInvalid)
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = t.now()
	}
	if err := t.db.Where("expires_at < ?", dbTime(l.CreatedAt)).Delete(&exportLinkRow{}).Error; err != nil {
		return mapErr("save export link: forget expired", err)
	}
	res := t.db.Clauses(ignoreDup).Create(&exportLinkRow{Hash: l.Hash, ContactID: int64(l.Contact),
		CreatedAt: dbTime(l.CreatedAt), ExpiresAt: dbTime(l.ExpiresAt)})
	if res.Error != nil {
		return mapErr("save export link", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("save export link: %w", core.ErrDuplicate)
	}
	return nil
}

// UseExportLink sets used_at with one conditional UPDATE, so of two
// concurrent uses (on PostgreSQL the second waits for the first to commit
// and then finds used_at set) only one changes the row.
func (t *tx) UseExportLink(hash string, now time.Time) (core.ExportLink, bool, error) {
	at := dbTime(now)
	res := t.db.Model(&exportLinkRow{}).Where("hash = ? AND used_at IS NULL AND expires_at > ?", hash, at).Update("used_at", at)
	if res.Error != nil {
		return core.ExportLink{}, false, mapErr("use export link", res.Error)
	}
	var r exportLinkRow
	if err := t.db.Where("hash = ?", hash).Take(&r).Error; err != nil {
		return core.ExportLink{}, false, mapErr("use export link", err)
	}
	return r.link(), res.RowsAffected == 1, nil
}
