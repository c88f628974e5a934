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
