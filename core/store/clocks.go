package store

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"cornershop/core"
)

type slaClockRow struct {
	ID             int64 `gorm:"primaryKey"`
	ConversationID int64
	DeskPlatform   string
	DeskChat       string
	Kind           string
	Priority       int
	StartedAt      time.Time
	WarnAt         time.Time
	DueAt          time.Time
	StoppedAt      *time.Time
	StopReason     string
	Warned         bool
	Breached       bool
}

func (slaClockRow) TableName() string { return "sla_clocks" }

func toSLAClockRow(c core.SLAClock) slaClockRow {
	return slaClockRow{
		ID: int64(c.ID), ConversationID: int64(c.Conversation), DeskPlatform: string(c.Desk.Platform), DeskChat: c.Desk.Chat,
		Kind: string(c.Kind), Priority: c.Priority, StartedAt: dbTime(c.StartedAt), WarnAt: dbTime(c.WarnAt), DueAt: dbTime(c.DueAt),
		StoppedAt: dbNullTime(c.StoppedAt), StopReason: c.StopReason, Warned: c.Warned, Breached: c.Breached,
	}
}

func toCoreSLAClock(r slaClockRow) core.SLAClock {
	return core.SLAClock{
		ID: core.SLAClockID(r.ID), Conversation: core.ConversationID(r.ConversationID),
		Desk: core.Place{Platform: core.PlatformName(r.DeskPlatform), Chat: r.DeskChat}, Kind: core.SLAKind(r.Kind), Priority: r.Priority,
		StartedAt: fromDBTime(r.StartedAt), WarnAt: fromDBTime(r.WarnAt), DueAt: fromDBTime(r.DueAt),
		StoppedAt: fromDBNullTime(r.StoppedAt), StopReason: r.StopReason, Warned: r.Warned, Breached: r.Breached,
	}
}

func (t *tx) StartClock(c *core.SLAClock) error {
	r := toSLAClockRow(*c)
	r.ID = 0
	if err := t.db.Create(&r).Error; err != nil {
		return mapErr("start sla clock", err)
	}
	c.ID = core.SLAClockID(r.ID)
	return nil
}

func (t *tx) RunningClock(conv core.ConversationID) (core.SLAClock, error) {
	var r slaClockRow
	err := t.db.Where("conversation_id = ? AND stopped_at IS NULL", int64(conv)).Order("id DESC").Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return core.SLAClock{}, core.ErrNotFound
	}
	if err != nil {
		return core.SLAClock{}, mapErr("running sla clock", err)
	}
	return toCoreSLAClock(r), nil
}

func (t *tx) StopClock(id core.SLAClockID, at time.Time, reason string) error {
	err := t.db.Model(&slaClockRow{}).Where("id = ? AND stopped_at IS NULL", int64(id)).
		Updates(map[string]any{"stopped_at": dbTime(at), "stop_reason": reason}).Error
	return mapErr("stop sla clock", err)
}

func (t *tx) MarkClock(id core.SLAClockID, breached bool) (bool, error) {
	col := "warned"
	if breached {
		col = "breached"
	}
	res := t.db.Model(&slaClockRow{}).Where("id = ? AND "+col+" = ?", int64(id), false).Update(col, true)
	if res.Error != nil {
		return false, mapErr("mark sla clock", res.Error)
	}
	return res.RowsAffected == 1, nil
}

func (t *tx) DeskClocks(desk core.Place, since time.Time) ([]core.SLAClock, error) {
	var rs []slaClockRow
	err := t.db.Where("desk_platform = ? AND desk_chat = ? AND started_at >= ?", string(desk.Platform), desk.Chat, dbTime(since)).
		Order("id").Find(&rs).Error
	if err != nil {
		return nil, mapErr("desk sla clocks", err)
	}
	out := make([]core.SLAClock, len(rs))
	for i, r := range rs {
		out[i] = toCoreSLAClock(r)
	}
	return out, nil
}

func (t *tx) Answered(conv core.ConversationID) (bool, error) {
	var n int64
	err := t.db.Model(&messageRow{}).Where("conversation_id = ? AND direction = ?", int64(conv), string(core.Reply)).Limit(1).Count(&n).Error
	if err != nil {
		return false, mapErr("answered", err)
	}
	return n > 0, nil
}
