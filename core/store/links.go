package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"cornershop/core"
)

type mergeRow struct {
	ID            int64 `gorm:"primaryKey"`
	FromID        int64
	IntoID        int64
	Identities    string // JSON ids of the identities moved
	Conversations string // JSON ids of the conversations moved
	Actor         string
	MergedAt      time.Time
	UndoneAt      *time.Time
}

func (mergeRow) TableName() string { return "contact_merges" }

type linkCodeRow struct {
	Code      string `gorm:"primaryKey"`
	ContactID int64
	ExpiresAt time.Time
}

func (linkCodeRow) TableName() string { return "link_codes" }

func (t *tx) MergeContacts(from, into core.ContactID, actor string, at time.Time) error {
	if from == into {
		return fmt.Errorf("merge contacts: a contact into itself: %w", core.ErrInvalid)
	}
	for _, id := range []core.ContactID{from, into} {
		if _, err := t.Contact(id); err != nil {
			return fmt.Errorf("merge contacts: %w", err)
		}
	}
	var idents, convs []int64
	if err := t.db.Model(&identityRow{}).Where("contact_id = ?", int64(from)).Pluck("id", &idents).Error; err != nil {
		return mapErr("merge contacts: identities", err)
	}
	if err := t.db.Model(&conversationRow{}).Where("contact_id = ?", int64(from)).Pluck("id", &convs).Error; err != nil {
		return mapErr("merge contacts: conversations", err)
	}
	ij, _ := json.Marshal(idents)
	cj, _ := json.Marshal(convs)
	if err := t.db.Create(&mergeRow{FromID: int64(from), IntoID: int64(into), Identities: string(ij), Conversations: string(cj), Actor: actor, MergedAt: dbTime(at)}).Error; err != nil {
		return mapErr("merge contacts: record", err)
	}
	return t.move(idents, convs, into, "merge contacts")
}

func (t *tx) move(idents, convs []int64, to core.ContactID, what string) error {
	if len(idents) > 0 {
		if err := t.db.Model(&identityRow{}).Where("id IN ?", idents).Update("contact_id", int64(to)).Error; err != nil {
			return mapErr(what+": move identities", err)
		}
	}
	if len(convs) > 0 {
		if err := t.db.Model(&conversationRow{}).Where("id IN ?", convs).Update("contact_id", int64(to)).Error; err != nil {
			return mapErr(what+": move conversations", err)
		}
		// A survey belongs to whoever its conversation belongs to.
		if err := t.db.Model(&surveyRow{}).Where("conversation_id IN ?", convs).Update("contact_id", int64(to)).Error; err != nil {
			return mapErr(what+": move surveys", err)
		}
	}
	return nil
}

func (t *tx) UnmergeContact(from core.ContactID, at time.Time) (core.ContactID, error) {
	var m mergeRow
	err := t.db.Where("from_id = ? AND undone_at IS NULL", int64(from)).Order("id DESC").Take(&m).Error
	if err != nil {
		return 0, mapErr("unmerge contact", err)
	}
	var idents, convs []int64
	if err := errors.Join(json.Unmarshal([]byte(m.Identities), &idents), json.Unmarshal([]byte(m.Conversations), &convs)); err != nil {
		return 0, fmt.Errorf("unmerge contact: decode merge record: %w", err)
	}
	if err := t.move(idents, convs, from, "unmerge contact"); err != nil {
		return 0, err
	}
	undone := dbTime(at)
	if err := t.db.Model(&mergeRow{}).Where("id = ?", m.ID).Update("undone_at", &undone).Error; err != nil {
		return 0, mapErr("unmerge contact: record", err)
	}
	return core.ContactID(m.IntoID), nil
}

func (t *tx) MergedInto(into core.ContactID) ([]core.ContactID, error) {
	var ids []int64
	err := t.db.Model(&mergeRow{}).Where("into_id = ? AND undone_at IS NULL", int64(into)).Order("id").Pluck("from_id", &ids).Error
	if err != nil {
		return nil, mapErr("merged into", err)
	}
	out := make([]core.ContactID, len(ids))
	for i, id := range ids {
		out[i] = core.ContactID(id)
	}
	return out, nil
}

func (t *tx) SaveLinkCode(contact core.ContactID, code string, expires time.Time) error {
	res := t.db.Clauses(ignoreDup).Create(&linkCodeRow{Code: code, ContactID: int64(contact), ExpiresAt: dbTime(expires)})
	if res.Error != nil {
		return mapErr("save link code", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("save link code: %w", core.ErrDuplicate)
	}
	return nil
}

func (t *tx) TakeLinkCode(code string, now time.Time) (core.ContactID, error) {
	var r linkCodeRow
	if err := t.db.Where("code = ?", code).Take(&r).Error; err != nil {
		return 0, mapErr("take link code", err)
	}
	if err := t.db.Where("code = ?", code).Delete(&linkCodeRow{}).Error; err != nil {
		return 0, mapErr("take link code", err)
	}
	if !fromDBTime(r.ExpiresAt).After(now) {
		return 0, fmt.Errorf("take link code: expired: %w", core.ErrNotFound)
	}
	return core.ContactID(r.ContactID), nil
}
