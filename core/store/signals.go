package store

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"cornershop/core"
)

type signalRow struct {
	ID           int64 `gorm:"primaryKey"`
	Rule         string
	DeskPlatform string
	DeskChat     string
	Platform     string
	Chat         string
	FirstMessage int64
	Count        int
	Negative     int
	FirstAt      time.Time
	LastAt       time.Time
	State        string
	CardChat     string
	CardThread   string
	CardID       string
	Action       string
	HandledBy    string
	HandledAt    *time.Time
}

func (signalRow) TableName() string { return "signals" }

func toSignalRow(s core.Signal) signalRow {
	return signalRow{
		ID: int64(s.ID), Rule: s.Rule, DeskPlatform: string(s.Desk.Platform), DeskChat: s.Desk.Chat,
		Platform: string(s.Place.Platform), Chat: s.Place.Chat, FirstMessage: int64(s.First),
		Count: s.Count, Negative: s.Negative, FirstAt: dbTime(s.FirstAt), LastAt: dbTime(s.LastAt),
		State: string(s.State), CardChat: s.Card.Chat, CardThread: s.Card.Thread, CardID: s.CardID,
		Action: s.Action, HandledBy: s.HandledBy, HandledAt: dbNullTime(s.HandledAt),
	}
}

func toCoreSignal(r signalRow) core.Signal {
	desk := core.Place{Platform: core.PlatformName(r.DeskPlatform), Chat: r.DeskChat}
	var card core.Place
	if r.CardChat != "" {
		card = core.Place{Platform: desk.Platform, Chat: r.CardChat, Thread: r.CardThread}
	}
	return core.Signal{
		ID: core.SignalID(r.ID), Rule: r.Rule, Desk: desk,
		Place: core.Place{Platform: core.PlatformName(r.Platform), Chat: r.Chat}, First: core.SignalMessageID(r.FirstMessage),
		Count: r.Count, Negative: r.Negative, FirstAt: fromDBTime(r.FirstAt), LastAt: fromDBTime(r.LastAt),
		State: core.SignalState(r.State), Card: card, CardID: r.CardID,
		Action: r.Action, HandledBy: r.HandledBy, HandledAt: fromDBNullTime(r.HandledAt),
	}
}

type signalMessageRow struct {
	ID         int64 `gorm:"primaryKey"`
	SignalID   int64
	ContactID  int64
	Rule       string
	Platform   string
	Chat       string
	Thread     string
	PlatformID string
	AuthorName string
	Text       string
	Link       string
	Term       string
	Sentiment  float64
	At         time.Time
}

func (signalMessageRow) TableName() string { return "signal_messages" }

func toCoreSignalMessage(r signalMessageRow) core.SignalMessage {
	return core.SignalMessage{
		ID: core.SignalMessageID(r.ID), Signal: core.SignalID(r.SignalID), Contact: core.ContactID(r.ContactID), Rule: r.Rule,
		Place:      core.Place{Platform: core.PlatformName(r.Platform), Chat: r.Chat, Thread: r.Thread},
		PlatformID: r.PlatformID, AuthorName: r.AuthorName, Text: r.Text, Link: r.Link, Term: r.Term,
		Sentiment: r.Sentiment, At: fromDBTime(r.At),
	}
}

func (t *tx) CreateSignal(s *core.Signal) error {
	if !s.State.Valid() {
		s.State = core.SignalOpen
	}
	r := toSignalRow(*s)
	r.ID = 0
	if err := t.db.Create(&r).Error; err != nil {
		return mapErr("create signal", err)
	}
	s.ID = core.SignalID(r.ID)
	return nil
}

func (t *tx) oneSignal(what string, q *gorm.DB) (core.Signal, error) {
	var r signalRow
	err := q.Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return core.Signal{}, fmt.Errorf("%s: %w", what, core.ErrNotFound)
	}
	if err != nil {
		return core.Signal{}, mapErr(what, err)
	}
	return toCoreSignal(r), nil
}

func (t *tx) Signal(id core.SignalID) (core.Signal, error) {
	return t.oneSignal("signal", t.db.Where("id = ?", int64(id)))
}

func (t *tx) BurstSignal(rule string, place core.Place, since time.Time) (core.Signal, error) {
	return t.oneSignal("burst signal", t.db.
		Where("rule = ? AND platform = ? AND chat = ? AND state = ? AND last_at >= ?",
			rule, string(place.Platform), place.Chat, string(core.SignalOpen), dbTime(since)).
		Order("last_at DESC, id DESC"))
}

func (t *tx) SignalByCard(desk core.Place, cardID string) (core.Signal, error) {
	if cardID == "" {
		return core.Signal{}, fmt.Errorf("signal by card: %w", core.ErrNotFound)
	}
	return t.oneSignal("signal by card", t.db.
		Where("desk_platform = ? AND desk_chat = ? AND card_id = ?", string(desk.Platform), desk.Chat, cardID))
}

func (t *tx) UpdateSignal(id core.SignalID, p core.SignalPatch) error {
	set := map[string]any{}
	if p.First != nil {
		set["first_message"] = int64(*p.First)
	}
	if p.Count != nil {
		set["count"] = *p.Count
	}
	if p.Negative != nil {
		set["negative"] = *p.Negative
	}
	if p.LastAt != nil {
		set["last_at"] = dbTime(*p.LastAt)
	}
	if p.Card != nil {
		set["card_chat"], set["card_thread"] = p.Card.Chat, p.Card.Thread
	}
	if p.CardID != nil {
		set["card_id"] = *p.CardID
	}
	if p.State != nil {
		if !p.State.Valid() {
			return fmt.Errorf("update signal: state %q: %w", *p.State, core.ErrInvalid)
		}
		set["state"] = string(*p.State)
	}
	if p.Action != nil {
		set["action"] = *p.Action
	}
	if p.HandledBy != nil {
		set["handled_by"] = *p.HandledBy
	}
	if p.HandledAt != nil {
		set["handled_at"] = dbNullTime(*p.HandledAt)
	}
	if len(set) == 0 {
		_, err := t.Signal(id)
		return err
	}
	return changed("update signal", t.db.Model(&signalRow{}).Where("id = ?", int64(id)).Updates(set))
}

func (t *tx) HandleSignal(id core.SignalID, state core.SignalState, action, actor string, at time.Time) (bool, error) {
	if state != core.SignalHandled && state != core.SignalDismissed {
		return false, fmt.Errorf("handle signal: state %q: %w", state, core.ErrInvalid)
	}
	res := t.db.Model(&signalRow{}).Where("id = ? AND state = ?", int64(id), string(core.SignalOpen)).
		Updates(map[string]any{"state": string(state), "action": action, "handled_by": actor, "handled_at": dbTime(at)})
	if res.Error != nil {
		return false, mapErr("handle signal", res.Error)
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	if _, err := t.Signal(id); err != nil {
		return false, err
	}
	return false, nil
}

func (t *tx) AddSignalMessage(m *core.SignalMessage) error {
	r := signalMessageRow{
		SignalID: int64(m.Signal), ContactID: int64(m.Contact), Rule: m.Rule, Platform: string(m.Place.Platform), Chat: m.Place.Chat,
		Thread: m.Place.Thread, PlatformID: m.PlatformID, AuthorName: m.AuthorName, Text: m.Text, Link: m.Link,
		Term: m.Term, Sentiment: m.Sentiment, At: dbTime(m.At),
	}
	res := t.db.Clauses(ignoreDup).Create(&r)
	if res.Error != nil {
		return mapErr("add signal message", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("add signal message: %w", core.ErrDuplicate)
	}
	m.ID = core.SignalMessageID(r.ID)
	return nil
}

func (t *tx) SignalMessageHeard(platform core.PlatformName, chat, id string) (bool, error) {
	var n int64
	err := t.db.Model(&signalMessageRow{}).Where("platform = ? AND chat = ? AND platform_id = ?", string(platform), chat, id).Limit(1).Count(&n).Error
	if err != nil {
		return false, mapErr("signal message heard", err)
	}
	return n > 0, nil
}

func (t *tx) SignalMessage(id core.SignalMessageID) (core.SignalMessage, error) {
	var r signalMessageRow
	err := t.db.Where("id = ?", int64(id)).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return core.SignalMessage{}, fmt.Errorf("signal message: %w", core.ErrNotFound)
	}
	if err != nil {
		return core.SignalMessage{}, mapErr("signal message", err)
	}
	return toCoreSignalMessage(r), nil
}

func (t *tx) signalMessages(what string, q *gorm.DB) ([]core.SignalMessage, error) {
	var rs []signalMessageRow
	if err := q.Order("id").Find(&rs).Error; err != nil {
		return nil, mapErr(what, err)
	}
	out := make([]core.SignalMessage, len(rs))
	for i, r := range rs {
		out[i] = toCoreSignalMessage(r)
	}
	return out, nil
}

func (t *tx) SignalMessages(id core.SignalID, limit int) ([]core.SignalMessage, error) {
	q := t.db.Where("signal_id = ?", int64(id))
	if limit > 0 {
		q = q.Limit(limit)
	}
	return t.signalMessages("signal messages", q)
}

func (t *tx) ContactSignalMessages(contact core.ContactID) ([]core.SignalMessage, error) {
	return t.signalMessages("contact signal messages", t.db.Where("contact_id = ?", int64(contact)))
}

func (t *tx) EraseContactSignalMessages(contact core.ContactID) (int64, error) {
	res := t.db.Where("contact_id = ?", int64(contact)).Delete(&signalMessageRow{})
	if res.Error != nil {
		return 0, mapErr("erase contact signal messages", res.Error)
	}
	return res.RowsAffected, nil
}

func (t *tx) ListeningStats(since time.Time, top int) (core.ListeningStats, error) {
	var st core.ListeningStats
	var counts []struct {
		Rule     string
		Platform string
		Chat     string
		N        int
		Neg      int
	}
	err := t.db.Model(&signalRow{}).Select("rule, platform, chat, sum(count) AS n, sum(negative) AS neg").
		Where("first_at >= ?", dbTime(since)).Group("rule, platform, chat").Order("n DESC, rule, platform, chat").Scan(&counts).Error
	if err != nil {
		return st, mapErr("listening matches", err)
	}
	for i, c := range counts {
		st.Total += c.N
		st.Negative += c.Neg
		if top <= 0 || i < top {
			st.Matches = append(st.Matches, core.ListeningCount{Rule: c.Rule,
				Place: core.Place{Platform: core.PlatformName(c.Platform), Chat: c.Chat}, Count: c.N, Negative: c.Neg})
		}
	}
	var rs []signalRow
	if err := t.db.Select("state, first_at, handled_at").Where("first_at >= ?", dbTime(since)).Find(&rs).Error; err != nil {
		return st, mapErr("listening signals", err)
	}
	var took []time.Duration
	for _, r := range rs {
		st.Signals++
		switch core.SignalState(r.State) {
		case core.SignalHandled:
			st.Handled++
		case core.SignalDismissed:
			st.Dismissed++
		default:
			continue
		}
		if r.HandledAt != nil {
			took = append(took, max(0, r.HandledAt.Sub(r.FirstAt)))
		}
	}
	if len(took) > 0 {
		slices.Sort(took)
		mid := len(took) / 2
		st.MedianHandle = took[mid]
		if len(took)%2 == 0 {
			st.MedianHandle = (took[mid-1] + took[mid]) / 2
		}
	}
	return st, nil
}
