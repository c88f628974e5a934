package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"cornershop/core"
)

type incidentRow struct {
	ID           int64 `gorm:"primaryKey"`
	Title        string
	State        string
	Keywords     string
	DeskPlatform string
	DeskChat     string
	DeskThread   string
	Card         string
	Opener       string
	CreatedAt    time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt    time.Time `gorm:"autoUpdateTime:false"`
	ResolvedAt   *time.Time
}

func (incidentRow) TableName() string { return "incidents" }

// incidentColumns leaves out PostgreSQL's search vector.
const incidentColumns = "id, title, state, keywords, desk_platform, desk_chat, desk_thread, card, opener, created_at, updated_at, resolved_at"

type incidentLinkRow struct {
	ConversationID int64 `gorm:"primaryKey;autoIncrement:false"`
	IncidentID     int64
	LinkedBy       string
	LinkedAt       time.Time
}

func (incidentLinkRow) TableName() string { return "incident_links" }

type incidentUpdateRow struct {
	ID         int64 `gorm:"primaryKey"`
	IncidentID int64
	Author     string
	AuthorName string
	Text       string
	AsTeam     bool
	Final      bool
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	UndoneAt   *time.Time
}

func (incidentUpdateRow) TableName() string { return "incident_updates" }

type incidentCopyRow struct {
	UpdateID       int64 `gorm:"primaryKey;autoIncrement:false"`
	IncidentID     int64
	ConversationID int64 `gorm:"primaryKey;autoIncrement:false"`
	MessageID      int64
}

func (incidentCopyRow) TableName() string { return "incident_copies" }

type incidentPostRow struct {
	Key        string `gorm:"column:idem_key;primaryKey"`
	IncidentID int64
	Text       string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
}

func (incidentPostRow) TableName() string { return "incident_posts" }

// keywordsText stores keywords as one comma-separated text, which both
// full-text engines read as words.
func keywordsText(ks []string) string { return strings.Join(ks, ", ") }

func keywordsOf(s string) []string {
	var out []string
	for k := range strings.SplitSeq(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

func toCoreIncident(r incidentRow) core.Incident {
	return core.Incident{
		ID: core.IncidentID(r.ID), Title: r.Title, State: core.IncidentState(r.State), Keywords: keywordsOf(r.Keywords),
		Desk: core.Place{Platform: core.PlatformName(r.DeskPlatform), Chat: r.DeskChat, Thread: r.DeskThread},
		Card: r.Card, Opener: r.Opener, CreatedAt: fromDBTime(r.CreatedAt), UpdatedAt: fromDBTime(r.UpdatedAt),
		ResolvedAt: fromDBNullTime(r.ResolvedAt),
	}
}

func toCoreIncidentUpdate(r incidentUpdateRow) core.IncidentUpdate {
	return core.IncidentUpdate{
		ID: core.IncidentUpdateID(r.ID), Incident: core.IncidentID(r.IncidentID), Author: r.Author, AuthorName: r.AuthorName,
		Text: r.Text, AsTeam: r.AsTeam, Final: r.Final, CreatedAt: fromDBTime(r.CreatedAt), UndoneAt: fromDBNullTime(r.UndoneAt),
	}
}

func (t *tx) CreateIncident(i *core.Incident) error {
	if !i.State.Valid() {
		return fmt.Errorf("create incident: state %q: %w", i.State, core.ErrInvalid)
	}
	if i.CreatedAt.IsZero() {
		i.CreatedAt = t.now()
	}
	if i.UpdatedAt.IsZero() {
		i.UpdatedAt = i.CreatedAt
	}
	r := incidentRow{Title: i.Title, State: string(i.State), Keywords: keywordsText(i.Keywords),
		DeskPlatform: string(i.Desk.Platform), DeskChat: i.Desk.Chat, DeskThread: i.Desk.Thread, Card: i.Card, Opener: i.Opener,
		CreatedAt: dbTime(i.CreatedAt), UpdatedAt: dbTime(i.UpdatedAt), ResolvedAt: dbNullTime(i.ResolvedAt)}
	if err := t.db.Create(&r).Error; err != nil {
		return mapErr("create incident", err)
	}
	i.ID = core.IncidentID(r.ID)
	return nil
}

func (t *tx) incident(what string, q *gorm.DB) (core.Incident, error) {
	var r incidentRow
	if err := q.Select(incidentColumns).Take(&r).Error; err != nil {
		return core.Incident{}, mapErr(what, err)
	}
	return toCoreIncident(r), nil
}

func (t *tx) Incident(id core.IncidentID) (core.Incident, error) {
	return t.incident("incident", t.db.Model(&incidentRow{}).Where("id = ?", int64(id)))
}

func (t *tx) IncidentByThread(p core.Place) (core.Incident, error) {
	if p.Thread == "" {
		return core.Incident{}, fmt.Errorf("incident by thread: %w", core.ErrNotFound)
	}
	return t.incident("incident by thread", t.db.Model(&incidentRow{}).
		Where("desk_platform = ? AND desk_chat = ? AND desk_thread = ?", string(p.Platform), p.Chat, p.Thread))
}

func (t *tx) UpdateIncident(id core.IncidentID, p core.IncidentPatch, now time.Time) error {
	set := map[string]any{"updated_at": dbTime(now)}
	if p.State != nil {
		if !p.State.Valid() {
			return fmt.Errorf("update incident: state %q: %w", *p.State, core.ErrInvalid)
		}
		set["state"] = string(*p.State)
	}
	if p.Keywords != nil {
		set["keywords"] = keywordsText(*p.Keywords)
	}
	if p.Desk != nil {
		set["desk_platform"], set["desk_chat"], set["desk_thread"] = string(p.Desk.Platform), p.Desk.Chat, p.Desk.Thread
	}
	if p.Card != nil {
		set["card"] = *p.Card
	}
	if p.ResolvedAt != nil {
		set["resolved_at"] = dbNullTime(*p.ResolvedAt)
	}
	return changed("update incident", t.db.Model(&incidentRow{}).Where("id = ?", int64(id)).Updates(set))
}

func (t *tx) OpenIncidents() ([]core.Incident, error) {
	var rs []incidentRow
	if err := t.db.Model(&incidentRow{}).Select(incidentColumns).Where("resolved_at IS NULL").Order("id").Find(&rs).Error; err != nil {
		return nil, mapErr("open incidents", err)
	}
	out := make([]core.Incident, len(rs))
	for i, r := range rs {
		out[i] = toCoreIncident(r)
	}
	return out, nil
}

func (t *tx) LinkIncident(l core.IncidentLink) error {
	r := incidentLinkRow{ConversationID: int64(l.Conversation), IncidentID: int64(l.Incident), LinkedBy: l.LinkedBy, LinkedAt: dbTime(l.LinkedAt)}
	res := t.db.Clauses(ignoreDup).Create(&r)
	if res.Error != nil {
		return mapErr("link incident", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("link incident: conversation linked already: %w", core.ErrDuplicate)
	}
	return nil
}

func (t *tx) IncidentOf(conv core.ConversationID) (core.IncidentLink, error) {
	var r incidentLinkRow
	if err := t.db.Where("conversation_id = ?", int64(conv)).Take(&r).Error; err != nil {
		return core.IncidentLink{}, mapErr("incident of", err)
	}
	return core.IncidentLink{Incident: core.IncidentID(r.IncidentID), Conversation: conv, LinkedBy: r.LinkedBy, LinkedAt: fromDBTime(r.LinkedAt)}, nil
}

func (t *tx) UnlinkIncident(conv core.ConversationID) (core.IncidentID, error) {
	l, err := t.IncidentOf(conv)
	if err != nil {
		return 0, fmt.Errorf("unlink incident: %w", err)
	}
	if err := t.db.Where("conversation_id = ?", int64(conv)).Delete(&incidentLinkRow{}).Error; err != nil {
		return 0, mapErr("unlink incident", err)
	}
	return l.Incident, nil
}

func (t *tx) IncidentLinks(id core.IncidentID) ([]core.IncidentLink, error) {
	var rs []struct {
		ConversationID int64
		LinkedBy       string
		LinkedAt       time.Time
		Platform       string
	}
	err := t.db.Raw(`SELECT l.conversation_id, l.linked_by, l.linked_at, c.customer_platform AS platform
FROM incident_links l JOIN conversations c ON c.id = l.conversation_id
WHERE l.incident_id = ? ORDER BY l.linked_at, l.conversation_id`, int64(id)).Scan(&rs).Error
	if err != nil {
		return nil, mapErr("incident links", err)
	}
	out := make([]core.IncidentLink, len(rs))
	for i, r := range rs {
		out[i] = core.IncidentLink{Incident: id, Conversation: core.ConversationID(r.ConversationID), Platform: core.PlatformName(r.Platform),
			LinkedBy: r.LinkedBy, LinkedAt: fromDBTime(r.LinkedAt)}
	}
	return out, nil
}

func (t *tx) CreateIncidentUpdate(u *core.IncidentUpdate) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = t.now()
	}
	r := incidentUpdateRow{IncidentID: int64(u.Incident), Author: u.Author, AuthorName: u.AuthorName, Text: u.Text, AsTeam: u.AsTeam,
		Final: u.Final, CreatedAt: dbTime(u.CreatedAt), UndoneAt: dbNullTime(u.UndoneAt)}
	if err := t.db.Create(&r).Error; err != nil {
		return mapErr("create incident update", err)
	}
	u.ID = core.IncidentUpdateID(r.ID)
	return nil
}

func (t *tx) LatestIncidentUpdate(id core.IncidentID) (core.IncidentUpdate, error) {
	var r incidentUpdateRow
	if err := t.db.Where("incident_id = ? AND undone_at IS NULL", int64(id)).Order("id DESC").Take(&r).Error; err != nil {
		return core.IncidentUpdate{}, mapErr("latest incident update", err)
	}
	return toCoreIncidentUpdate(r), nil
}

func (t *tx) AddIncidentCopy(c core.IncidentCopy) error {
	r := incidentCopyRow{UpdateID: int64(c.Update), IncidentID: int64(c.Incident), ConversationID: int64(c.Conversation), MessageID: int64(c.Message)}
	res := t.db.Clauses(ignoreDup).Create(&r)
	if res.Error != nil {
		return mapErr("add incident copy", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("add incident copy: copied already: %w", core.ErrDuplicate)
	}
	return nil
}

func (t *tx) IncidentCopyOf(m core.MessageID) (core.IncidentCopy, error) {
	var r incidentCopyRow
	if err := t.db.Where("message_id = ?", int64(m)).Take(&r).Error; err != nil {
		return core.IncidentCopy{}, mapErr("incident copy", err)
	}
	return core.IncidentCopy{Update: core.IncidentUpdateID(r.UpdateID), Incident: core.IncidentID(r.IncidentID),
		Conversation: core.ConversationID(r.ConversationID), Message: core.MessageID(r.MessageID)}, nil
}

// copySends selects the customer sends of an update's copies.
const copySends = `d.op = 'send' AND d.side = 'customer'
	AND d.message_id IN (SELECT message_id FROM incident_copies WHERE update_id = ?)`

func (t *tx) UndoIncidentUpdate(id core.IncidentUpdateID, at time.Time) (int, error) {
	// Only sends still held by the undo window: one already due may be
	// on its way.
	res := t.db.Exec(`UPDATE deliveries SET state = 'cancelled', last_error = 'taken back', done_at = ?
WHERE id IN (SELECT d.id FROM deliveries d WHERE d.state = 'pending' AND d.next_attempt_at > ? AND d.claimed_until IS NULL
	AND `+copySends+`)`, dbTime(at), dbTime(at), int64(id))
	if res.Error != nil {
		return 0, mapErr("undo incident update", res.Error)
	}
	err := t.db.Exec(`UPDATE messages SET deleted_at = ? WHERE id IN (
	SELECT d.message_id FROM deliveries d WHERE d.state = 'cancelled' AND `+copySends+`)`, dbTime(at), int64(id)).Error
	if err != nil {
		return 0, mapErr("undo incident update: withdraw copies", err)
	}
	err = t.db.Model(&incidentUpdateRow{}).Where("id = ? AND undone_at IS NULL", int64(id)).Update("undone_at", dbTime(at)).Error
	if err != nil {
		return 0, mapErr("undo incident update", err)
	}
	return int(res.RowsAffected), nil
}

func (t *tx) IncidentProgress(id core.IncidentUpdateID) (core.IncidentProgress, error) {
	var rs []struct {
		State string
		N     int
	}
	err := t.db.Raw(`SELECT d.state, COUNT(*) AS n FROM deliveries d WHERE `+copySends+` GROUP BY d.state`, int64(id)).Scan(&rs).Error
	if err != nil {
		return core.IncidentProgress{}, mapErr("incident progress", err)
	}
	var p core.IncidentProgress
	for _, r := range rs {
		p.Copies += r.N
		switch core.DeliveryState(r.State) {
		case core.DeliveryDone:
			p.Delivered += r.N
		case core.DeliveryFailed:
			p.Failed += r.N
		case core.DeliveryPending:
			p.Pending += r.N
		case core.DeliveryCancelled:
			p.Cancelled += r.N
		}
	}
	return p, nil
}

func (t *tx) IncidentFailures(id core.IncidentUpdateID, limit int) ([]core.ConversationID, error) {
	var ids []int64
	err := t.db.Raw(`SELECT DISTINCT d.conversation_id FROM deliveries d WHERE d.state = 'failed' AND `+copySends+`
ORDER BY d.conversation_id LIMIT ?`, int64(id), limit).Scan(&ids).Error
	if err != nil {
		return nil, mapErr("incident failures", err)
	}
	out := make([]core.ConversationID, len(ids))
	for i, v := range ids {
		out[i] = core.ConversationID(v)
	}
	return out, nil
}

func (t *tx) PersonalReplies(conv core.ConversationID, since time.Time) (int, error) {
	var n int64
	err := t.db.Raw(`SELECT COUNT(*) FROM messages m WHERE m.conversation_id = ? AND m.direction = 'reply' AND m.created_at > ?
	AND m.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM incident_copies c WHERE c.message_id = m.id)`,
		int64(conv), dbTime(since)).Scan(&n).Error
	if err != nil {
		return 0, mapErr("personal replies", err)
	}
	return int(n), nil
}

func (t *tx) SaveIncidentPost(p core.IncidentPost) error {
	r := incidentPostRow{Key: p.Key, IncidentID: int64(p.Incident), Text: p.Text, CreatedAt: dbTime(p.CreatedAt)}
	res := t.db.Clauses(ignoreDup).Create(&r)
	if res.Error != nil {
		return mapErr("save incident post", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("save incident post: key taken: %w", core.ErrDuplicate)
	}
	return nil
}

func (t *tx) IncidentPost(key string) (core.IncidentPost, error) {
	var r incidentPostRow
	if err := t.db.Where("idem_key = ?", key).Take(&r).Error; err != nil {
		return core.IncidentPost{}, mapErr("incident post", err)
	}
	return core.IncidentPost{Key: r.Key, Incident: core.IncidentID(r.IncidentID), Text: r.Text, CreatedAt: fromDBTime(r.CreatedAt)}, nil
}

// incidentFTS is the FTS5 index of incidents for the configured language
// (see migration 11).
func (s *Store) incidentFTS() string {
	if strings.EqualFold(s.o.SearchLanguage, "english") {
		return "incidents_fts_porter"
	}
	return "incidents_fts_plain"
}

func (t *tx) SearchIncidents(text string, limit int) ([]core.IncidentHit, error) {
	if limit <= 0 {
		limit = 3
	}
	words := queryWords(text)
	var rows []hitRow
	var err error
	if t.s.driver == DriverPostgres {
		if len(words) == 0 {
			return nil, nil
		}
		err = t.db.Raw(`SELECT i.id, ts_rank(i.search, q) AS score
FROM incidents i, websearch_to_tsquery(cornershop_search_language(), ?) AS q
WHERE i.resolved_at IS NULL AND i.search @@ q
ORDER BY score DESC, i.id LIMIT ?`, websearch(words), limit).Scan(&rows).Error
	} else {
		if strings.EqualFold(t.s.o.SearchLanguage, "english") {
			words = slices.DeleteFunc(words, func(w string) bool { return englishStop[w] })
		}
		if len(words) == 0 {
			return nil, nil
		}
		fts := t.s.incidentFTS() // one of two fixed names, never user text
		err = t.db.Raw(`SELECT i.id, -bm25(`+fts+`, 1.0, 2.0) AS score
FROM `+fts+` JOIN incidents i ON i.id = `+fts+`.rowid
WHERE `+fts+` MATCH ? AND i.resolved_at IS NULL
ORDER BY score DESC, i.id LIMIT ?`, ftsAny(words), limit).Scan(&rows).Error
	}
	if err != nil {
		return nil, mapErr("search incidents", err)
	}
	out := make([]core.IncidentHit, 0, len(rows))
	for _, r := range rows {
		i, err := t.Incident(core.IncidentID(r.ID))
		if errors.Is(err, core.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("search incidents: %w", err)
		}
		out = append(out, core.IncidentHit{Incident: i, Score: r.Score})
	}
	return out, nil
}

func (t *tx) IncidentStats(since time.Time) (core.IncidentStats, error) {
	var st core.IncidentStats
	var opened, affected int64
	if err := t.db.Model(&incidentRow{}).Where("created_at >= ?", dbTime(since)).Count(&opened).Error; err != nil {
		return st, mapErr("incident stats", err)
	}
	err := t.db.Raw(`SELECT COUNT(*) FROM incident_links l JOIN incidents i ON i.id = l.incident_id WHERE i.created_at >= ?`,
		dbTime(since)).Scan(&affected).Error
	if err != nil {
		return st, mapErr("incident stats: affected", err)
	}
	st.Opened, st.Affected = int(opened), int(affected)
	// Per incident: its first update, and the first customer message of
	// its linked conversations (typed reads: SQLite's MIN() loses the
	// column's type).
	var ids []int64
	if err := t.db.Model(&incidentRow{}).Where("created_at >= ?", dbTime(since)).Order("id").Pluck("id", &ids).Error; err != nil {
		return st, mapErr("incident stats: incidents", err)
	}
	for _, id := range ids {
		var u incidentUpdateRow
		err := t.db.Where("incident_id = ? AND undone_at IS NULL", id).Order("id").Take(&u).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			continue
		}
		if err != nil {
			return st, mapErr("incident stats: first update", err)
		}
		first, err := t.FirstLinkedMessageAt(core.IncidentID(id))
		if errors.Is(err, core.ErrNotFound) {
			continue
		}
		if err != nil {
			return st, fmt.Errorf("incident stats: %w", err)
		}
		st.FirstUpdate = append(st.FirstUpdate, max(0, fromDBTime(u.CreatedAt).Sub(first)))
	}
	return st, nil
}

func (t *tx) IncidentUpdates(id core.IncidentID) ([]core.IncidentUpdate, error) {
	var rs []incidentUpdateRow
	if err := t.db.Where("incident_id = ? AND undone_at IS NULL", int64(id)).Order("id").Find(&rs).Error; err != nil {
		return nil, mapErr("incident updates", err)
	}
	out := make([]core.IncidentUpdate, len(rs))
	for i, r := range rs {
		out[i] = toCoreIncidentUpdate(r)
	}
	return out, nil
}

type incidentBroadcastRow struct {
	IncidentID int64  `gorm:"primaryKey;autoIncrement:false"`
	Platform   string `gorm:"primaryKey"`
	Chat       string `gorm:"primaryKey"`
	PostIDs    string
}

func (incidentBroadcastRow) TableName() string { return "incident_broadcasts" }

func (t *tx) SaveIncidentBroadcast(b core.IncidentBroadcast) error {
	ids, err := json.Marshal(b.PostIDs)
	if err != nil {
		return fmt.Errorf("save incident broadcast: %w", err)
	}
	r := incidentBroadcastRow{IncidentID: int64(b.Incident), Platform: string(b.Place.Platform), Chat: b.Place.Chat, PostIDs: string(ids)}
	err = t.db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "incident_id"}, {Name: "platform"}, {Name: "chat"}},
		DoUpdates: clause.AssignmentColumns([]string{"post_ids"}),
	}).Create(&r).Error
	return mapErr("save incident broadcast", err)
}

func (t *tx) IncidentBroadcast(id core.IncidentID, place core.Place) (core.IncidentBroadcast, error) {
	var r incidentBroadcastRow
	err := t.db.Where("incident_id = ? AND platform = ? AND chat = ?", int64(id), string(place.Platform), place.Chat).Take(&r).Error
	if err != nil {
		return core.IncidentBroadcast{}, mapErr("incident broadcast", err)
	}
	b := core.IncidentBroadcast{Incident: id, Place: core.Place{Platform: place.Platform, Chat: place.Chat}}
	if err := json.Unmarshal([]byte(r.PostIDs), &b.PostIDs); err != nil {
		return b, fmt.Errorf("incident broadcast: %w", err)
	}
	return b, nil
}

func (t *tx) FirstLinkedMessageAt(id core.IncidentID) (time.Time, error) {
	var m messageRow
	err := t.db.Where("direction = 'inbound' AND conversation_id IN (SELECT conversation_id FROM incident_links WHERE incident_id = ?)", int64(id)).
		Order("created_at, id").Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return time.Time{}, fmt.Errorf("first linked message of incident %d: %w", int64(id), core.ErrNotFound)
	}
	if err != nil {
		return time.Time{}, mapErr("first linked message", err)
	}
	return fromDBTime(m.CreatedAt), nil
}
