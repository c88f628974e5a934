package store

import (
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"cornershop/core"
)

type staffPrefRow struct {
	StaffID   string `gorm:"primaryKey"`
	AsTeam    bool
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"`
}

func (staffPrefRow) TableName() string { return "staff_prefs" }

func (t *tx) StaffPrefersTeam(id core.StaffID) (bool, error) {
	var r staffPrefRow
	err := t.db.Where("staff_id = ?", string(id)).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, mapErr("staff prefs", err)
	}
	return r.AsTeam, nil
}

func (t *tx) SetStaffPrefersTeam(id core.StaffID, asTeam bool, at time.Time) error {
	r := staffPrefRow{StaffID: string(id), AsTeam: asTeam, UpdatedAt: dbTime(at)}
	err := t.db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "staff_id"}}, DoUpdates: clause.AssignmentColumns([]string{"as_team", "updated_at"})}).Create(&r).Error
	return mapErr("set staff prefs", err)
}

type contactFieldRow struct {
	ContactID int64  `gorm:"primaryKey"`
	Key       string `gorm:"primaryKey"`
	Value     string
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"`
}

func (contactFieldRow) TableName() string { return "contact_fields" }

func (t *tx) ContactFields(id core.ContactID) ([]core.Field, error) {
	var rs []contactFieldRow
	if err := t.db.Where("contact_id = ?", int64(id)).Order("key").Find(&rs).Error; err != nil {
		return nil, mapErr("contact fields", err)
	}
	out := make([]core.Field, len(rs))
	for i, r := range rs {
		out[i] = core.Field{Key: r.Key, Value: r.Value}
	}
	return out, nil
}

func (t *tx) SetContactField(id core.ContactID, f core.Field, at time.Time) error {
	if err := t.touchContact(id, at); err != nil {
		return err
	}
	if f.Value == "" {
		err := t.db.Where("contact_id = ? AND key = ?", int64(id), f.Key).Delete(&contactFieldRow{}).Error
		return mapErr("delete contact field", err)
	}
	r := contactFieldRow{ContactID: int64(id), Key: f.Key, Value: f.Value, UpdatedAt: dbTime(at)}
	err := t.db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "contact_id"}, {Name: "key"}}, DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"})}).Create(&r).Error
	return mapErr("set contact field", err)
}

type snippetRow struct {
	Name      string `gorm:"primaryKey"`
	Text      string
	Author    string
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"`
}

func (snippetRow) TableName() string { return "snippets" }

func (t *tx) Snippets() (map[string]string, error) {
	var rs []snippetRow
	if err := t.db.Order("name").Find(&rs).Error; err != nil {
		return nil, mapErr("snippets", err)
	}
	out := make(map[string]string, len(rs))
	for _, r := range rs {
		out[r.Name] = r.Text
	}
	return out, nil
}

func (t *tx) SaveSnippet(name, text, author string, at time.Time) error {
	if text == "" {
		return mapErr("delete snippet", t.db.Where("name = ?", name).Delete(&snippetRow{}).Error)
	}
	r := snippetRow{Name: name, Text: text, Author: author, UpdatedAt: dbTime(at)}
	err := t.db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "name"}}, DoUpdates: clause.AssignmentColumns([]string{"text", "author", "updated_at"})}).Create(&r).Error
	return mapErr("save snippet", err)
}
