package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"cornershop/core"
)

type ideaRow struct {
	ID             int64 `gorm:"primaryKey"`
	Title          string
	Body           string
	Status         string
	AuthorID       int64
	AuthorName     string
	OriginPlatform string
	OriginChat     string
	OriginThread   string
	SourceID       string
	CardPlatform   string
	CardChat       string
	CardThread     string
	CardID         string
	MergedInto     *int64
	Hidden         bool
	HideReason     string
	Pinned         bool
	Tags           string
	Message        string
	Queued         bool
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt      time.Time `gorm:"autoUpdateTime:false"`
	// Votes and Comments are computed by ideaSelect, never stored.
	Votes    int `gorm:"->;-:migration"`
	Comments int `gorm:"->;-:migration"`
}

func (ideaRow) TableName() string { return "ideas" }

type voteRow struct {
	IdeaID   int64  `gorm:"primaryKey"`
	Platform string `gorm:"primaryKey"`
	UserID   string `gorm:"primaryKey"`
	Chat     string
	VotedAt  time.Time
}

func (voteRow) TableName() string { return "idea_votes" }

type commentRow struct {
	ID         int64 `gorm:"primaryKey"`
	IdeaID     int64
	Author     string
	AuthorName string
	Text       string
	Platform   string
	Chat       string
	PlatformID string
	UserID     string
	At         time.Time
}

func (commentRow) TableName() string { return "idea_comments" }

type muteRow struct {
	ContactID int64 `gorm:"primaryKey;autoIncrement:false"`
	MutedAt   time.Time
}

func (muteRow) TableName() string { return "idea_mutes" }

type noticeRow struct {
	ID        int64 `gorm:"primaryKey"`
	Batch     string
	ContactID int64
	Platform  string
	UserID    string
	Chat      string
	IdeaID    int64
	Text      string
	Actor     string
	Digest    bool
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
}

func (noticeRow) TableName() string { return "idea_notices" }

// ideaSelect reads ideas with their counts: votes count contacts, so two
// linked accounts voting count once.
const ideaSelect = `ideas.*,
	(SELECT count(DISTINCT i.contact_id) FROM idea_votes v
	   JOIN identities i ON i.platform = v.platform AND i.user_id = v.user_id
	   WHERE v.idea_id = ideas.id) AS votes,
	(SELECT count(*) FROM idea_comments c WHERE c.idea_id = ideas.id) AS comments`

func toIdeaRow(i core.Idea) (ideaRow, error) {
	tags, err := toJSON(i.Tags)
	if err != nil {
		return ideaRow{}, err
	}
	return ideaRow{
		ID: int64(i.ID), Title: i.Title, Body: i.Body, Status: string(i.Status), AuthorID: int64(i.Author), AuthorName: i.AuthorName,
		OriginPlatform: string(i.Origin.Platform), OriginChat: i.Origin.Chat, OriginThread: i.Origin.Thread, SourceID: i.SourceID,
		CardPlatform: string(i.Card.Platform), CardChat: i.Card.Chat, CardThread: i.Card.Thread, CardID: i.CardID,
		MergedInto: nullID(i.MergedInto), Hidden: i.Hidden, HideReason: i.HideReason, Pinned: i.Pinned, Tags: tags,
		Message: i.Message, Queued: i.Queued, CreatedAt: dbTime(i.CreatedAt), UpdatedAt: dbTime(i.UpdatedAt),
	}, nil
}

func toCoreIdea(r ideaRow) (core.Idea, error) {
	tags, err := fromJSON[string](r.Tags)
	if err != nil {
		return core.Idea{}, err
	}
	return core.Idea{
		ID: core.IdeaID(r.ID), Title: r.Title, Body: r.Body, Status: core.IdeaStatus(r.Status), Author: core.ContactID(r.AuthorID),
		AuthorName: r.AuthorName,
		Origin:     core.Place{Platform: core.PlatformName(r.OriginPlatform), Chat: r.OriginChat, Thread: r.OriginThread}, SourceID: r.SourceID,
		Card: core.Place{Platform: core.PlatformName(r.CardPlatform), Chat: r.CardChat, Thread: r.CardThread}, CardID: r.CardID,
		MergedInto: idOf[core.IdeaID](r.MergedInto), Hidden: r.Hidden, HideReason: r.HideReason, Pinned: r.Pinned, Tags: tags,
		Message: r.Message, Queued: r.Queued, Votes: r.Votes, Comments: r.Comments,
		CreatedAt: fromDBTime(r.CreatedAt), UpdatedAt: fromDBTime(r.UpdatedAt),
	}, nil
}

func (t *tx) CreateIdea(i *core.Idea) error {
	if !i.Status.Valid() {
		return fmt.Errorf("create idea: status %q: %w", i.Status, core.ErrInvalid)
	}
	if i.CreatedAt.IsZero() {
		i.CreatedAt = t.now()
	}
	if i.UpdatedAt.IsZero() {
		i.UpdatedAt = i.CreatedAt
	}
	r, err := toIdeaRow(*i)
	if err != nil {
		return fmt.Errorf("create idea: %w", err)
	}
	if i.SourceID != "" {
		// Look first: a skipped insert would still use up an idea number.
		var n int64
		err := t.db.Model(&ideaRow{}).Where("origin_platform = ? AND origin_chat = ? AND source_id = ?", r.OriginPlatform, r.OriginChat, r.SourceID).Count(&n).Error
		if err != nil {
			return mapErr("create idea: look for its source", err)
		}
		if n > 0 {
			return fmt.Errorf("create idea: %w", core.ErrDuplicate)
		}
	}
	res := t.db.Omit("Votes", "Comments").Clauses(ignoreDup).Create(&r)
	if res.Error != nil {
		return mapErr("create idea", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("create idea: %w", core.ErrDuplicate)
	}
	i.ID = core.IdeaID(r.ID)
	return nil
}

func (t *tx) ideas(what string, q *gorm.DB) ([]core.Idea, error) {
	var rows []ideaRow
	if err := q.Select(ideaSelect).Find(&rows).Error; err != nil {
		return nil, mapErr(what, err)
	}
	out := make([]core.Idea, 0, len(rows))
	for _, r := range rows {
		i, err := toCoreIdea(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, i)
	}
	return out, nil
}

func (t *tx) oneIdea(what string, q *gorm.DB) (core.Idea, error) {
	is, err := t.ideas(what, q.Limit(1))
	if err != nil {
		return core.Idea{}, err
	}
	if len(is) == 0 {
		return core.Idea{}, fmt.Errorf("%s: %w", what, core.ErrNotFound)
	}
	return is[0], nil
}

func (t *tx) Idea(id core.IdeaID) (core.Idea, error) {
	return t.oneIdea("idea", t.db.Model(&ideaRow{}).Where("ideas.id = ?", int64(id)))
}

func (t *tx) IdeaAt(place core.Place, msgID string) (core.Idea, error) {
	q := t.db.Model(&ideaRow{})
	p, c := string(place.Platform), place.Chat
	switch {
	case place.Thread != "":
		q = q.Where(`(origin_platform = ? AND origin_chat = ? AND (origin_thread = ? OR (origin_thread = '' AND source_id = ?)))
	OR (card_platform = ? AND card_chat = ? AND card_thread = ?)`, p, c, place.Thread, place.Thread, p, c, place.Thread)
	case msgID != "":
		q = q.Where("card_platform = ? AND card_chat = ? AND card_id = ?", p, c, msgID)
	default:
		return core.Idea{}, fmt.Errorf("idea at %s: %w", place, core.ErrNotFound)
	}
	return t.oneIdea("idea at place", q.Order("ideas.id"))
}

func (t *tx) IdeaCardInFlight(board core.Place) (bool, error) {
	var n int64
	err := t.db.Raw(`SELECT count(*) FROM ideas i WHERE i.origin_platform = ? AND i.origin_chat = ? AND i.card_id = ''
	AND EXISTS (SELECT 1 FROM deliveries d WHERE d.idea_id = i.id AND d.op = ? AND d.state = ? AND d.claimed_by <> '')`,
		string(board.Platform), board.Chat, string(core.OpIdeaCard), string(core.DeliveryPending)).Scan(&n).Error
	if err != nil {
		return false, mapErr("idea card in flight", err)
	}
	return n > 0, nil
}

func (t *tx) IdeasOf(contact core.ContactID, limit int) ([]core.Idea, error) {
	q := t.db.Model(&ideaRow{}).Where(`ideas.author_id = ? OR ideas.id IN (SELECT v.idea_id FROM idea_votes v
	JOIN identities i ON i.platform = v.platform AND i.user_id = v.user_id WHERE i.contact_id = ?)`, int64(contact), int64(contact)).
		Order("ideas.id DESC")
	if limit > 0 {
		q = q.Limit(limit)
	}
	return t.ideas("ideas of contact", q)
}

func (t *tx) UpdateIdea(id core.IdeaID, p core.IdeaPatch, now time.Time) error {
	set := map[string]any{}
	if p.Title != nil || p.Status != nil || p.Message != nil || p.Hidden != nil || p.HideReason != nil || p.Pinned != nil ||
		p.Tags != nil || p.MergedInto != nil || p.Queued != nil {
		// Where its card is, is bookkeeping: the idea itself (what the
		// roadmap shows as updated) did not change.
		set["updated_at"] = dbTime(now)
	}
	if p.Title != nil {
		set["title"] = *p.Title
	}
	if p.Status != nil {
		if !p.Status.Valid() {
			return fmt.Errorf("update idea: status %q: %w", *p.Status, core.ErrInvalid)
		}
		set["status"] = string(*p.Status)
	}
	if p.Message != nil {
		set["message"] = *p.Message
	}
	if p.Hidden != nil {
		set["hidden"] = *p.Hidden
	}
	if p.HideReason != nil {
		set["hide_reason"] = *p.HideReason
	}
	if p.Pinned != nil {
		set["pinned"] = *p.Pinned
	}
	if p.Tags != nil {
		tags, err := toJSON(*p.Tags)
		if err != nil {
			return fmt.Errorf("update idea: %w", err)
		}
		set["tags"] = tags
	}
	if p.MergedInto != nil {
		set["merged_into"] = nullID(*p.MergedInto)
	}
	if p.Queued != nil {
		set["queued"] = *p.Queued
	}
	if p.Card != nil {
		set["card_platform"], set["card_chat"], set["card_thread"] = string(p.Card.Platform), p.Card.Chat, p.Card.Thread
	}
	if p.CardID != nil {
		set["card_id"] = *p.CardID
	}
	if len(set) == 0 {
		set["updated_at"] = dbTime(now) // an empty patch still finds (or misses) the idea
	}
	return changed("update idea", t.db.Model(&ideaRow{}).Where("id = ?", int64(id)).Updates(set))
}

func (t *tx) Ideas(f core.IdeaFilter) ([]core.Idea, error) {
	q := t.db.Model(&ideaRow{})
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			ss[i] = string(s)
		}
		q = q.Where("status IN ?", ss)
	} else {
		q = q.Where("status <> ?", string(core.IdeaDuplicate))
	}
	if !f.Hidden {
		q = q.Where("hidden = ?", false)
	}
	if !f.Queued {
		q = q.Where("queued = ?", false)
	}
	if f.Order == core.IdeasNew {
		q = q.Order("ideas.id DESC")
	} else {
		q = q.Order("pinned DESC").Order("votes DESC").Order("ideas.id")
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	return t.ideas("ideas", q)
}

// Ideas lists ideas by f as core.IdeaTx.Ideas does, outside any
// transaction: on SQLite it reads from the read pool, so public read-only
// pages (the roadmap) never queue behind the one writer. Safe for
// concurrent use; it may be called while a transaction is open.
func (s *Store) Ideas(ctx context.Context, f core.IdeaFilter) ([]core.Idea, error) {
	return (&tx{db: s.read.WithContext(ctx), s: s}).Ideas(f)
}

// votesOf lists the votes on idea by any account of contact.
func (t *tx) votesOf(idea core.IdeaID, contact core.ContactID) ([]voteRow, error) {
	var rows []voteRow
	err := t.db.Raw(`SELECT v.* FROM idea_votes v JOIN identities i ON i.platform = v.platform AND i.user_id = v.user_id
WHERE v.idea_id = ? AND i.contact_id = ?`, int64(idea), int64(contact)).Scan(&rows).Error
	return rows, mapErr("votes of contact", err)
}

func (t *tx) ToggleVote(idea core.IdeaID, v core.Voter) (core.VoteResult, error) {
	have, err := t.votesOf(idea, v.Contact)
	if err != nil {
		return 0, err
	}
	own := slices.ContainsFunc(have, func(r voteRow) bool { return r.Platform == string(v.Platform) && r.UserID == v.UserID })
	if own {
		for _, r := range have {
			if err := t.db.Where("idea_id = ? AND platform = ? AND user_id = ?", r.IdeaID, r.Platform, r.UserID).Delete(&voteRow{}).Error; err != nil {
				return 0, mapErr("remove vote", err)
			}
		}
		return core.Unvoted, nil
	}
	if len(have) > 0 {
		return core.AlreadyCounted, nil
	}
	at := v.At
	if at.IsZero() {
		at = t.now()
	}
	r := voteRow{IdeaID: int64(idea), Platform: string(v.Platform), UserID: v.UserID, Chat: v.Chat, VotedAt: dbTime(at)}
	if err := t.db.Create(&r).Error; err != nil {
		return 0, mapErr("vote", err)
	}
	return core.Voted, nil
}

// followersSQL lists every account that proposed, voted or commented, with
// the contact it belongs to now and when it last acted.
const followersSQL = `SELECT i.contact_id AS contact, f.platform, f.user_id, f.chat, f.at FROM (
	SELECT v.platform, v.user_id, v.chat, v.voted_at AS at FROM idea_votes v WHERE v.idea_id = ?
	UNION ALL
	SELECT c.platform, c.user_id, '' AS chat, c.at FROM idea_comments c WHERE c.idea_id = ? AND c.user_id <> ''
	UNION ALL
	SELECT a.platform, a.user_id, '' AS chat, d.created_at AS at FROM ideas d
	  JOIN identities a ON a.contact_id = d.author_id AND a.platform = d.origin_platform WHERE d.id = ?
) f JOIN identities i ON i.platform = f.platform AND i.user_id = f.user_id
ORDER BY f.at DESC`

func (t *tx) Followers(idea core.IdeaID) ([]core.Voter, error) {
	var rows []struct {
		Contact  int64
		Platform string
		UserID   string
		Chat     string
		At       time.Time
	}
	id := int64(idea)
	if err := t.db.Raw(followersSQL, id, id, id).Scan(&rows).Error; err != nil {
		return nil, mapErr("followers", err)
	}
	seen := map[int64]int{}
	var out []core.Voter
	for _, r := range rows {
		if i, ok := seen[r.Contact]; ok {
			if out[i].Chat == "" && r.Chat != "" && out[i].Platform == core.PlatformName(r.Platform) && out[i].UserID == r.UserID {
				out[i].Chat = r.Chat
			}
			continue
		}
		seen[r.Contact] = len(out)
		out = append(out, core.Voter{Contact: core.ContactID(r.Contact), Platform: core.PlatformName(r.Platform), UserID: r.UserID, Chat: r.Chat, At: fromDBTime(r.At)})
	}
	return out, nil
}

func (t *tx) MergeIdeas(from, into core.IdeaID) error {
	if from == into {
		return fmt.Errorf("merge ideas: an idea into itself: %w", core.ErrInvalid)
	}
	for _, id := range []core.IdeaID{from, into} {
		if _, err := t.Idea(id); err != nil {
			return fmt.Errorf("merge ideas: %w", err)
		}
	}
	// A contact that voted for both keeps one vote: votes of contacts that
	// already back into are dropped, the rest move.
	err := t.db.Exec(`DELETE FROM idea_votes WHERE idea_id = ? AND EXISTS (
	SELECT 1 FROM identities i JOIN identities j ON j.contact_id = i.contact_id
	JOIN idea_votes w ON w.platform = j.platform AND w.user_id = j.user_id AND w.idea_id = ?
	WHERE i.platform = idea_votes.platform AND i.user_id = idea_votes.user_id)`, int64(from), int64(into)).Error
	if err != nil {
		return mapErr("merge ideas: collapse votes", err)
	}
	if err := t.db.Exec(`DELETE FROM idea_votes WHERE idea_id = ? AND NOT EXISTS (
	SELECT 1 FROM identities i WHERE i.platform = idea_votes.platform AND i.user_id = idea_votes.user_id)`, int64(from)).Error; err != nil {
		return mapErr("merge ideas: drop orphan votes", err)
	}
	if err := t.db.Model(&voteRow{}).Where("idea_id = ?", int64(from)).Update("idea_id", int64(into)).Error; err != nil {
		return mapErr("merge ideas: move votes", err)
	}
	if err := t.db.Model(&commentRow{}).Where("idea_id = ?", int64(from)).Update("idea_id", int64(into)).Error; err != nil {
		return mapErr("merge ideas: move comments", err)
	}
	return nil
}

func (t *tx) AddComment(c *core.IdeaComment) error {
	if c.At.IsZero() {
		c.At = t.now()
	}
	r := commentRow{IdeaID: int64(c.Idea), Author: c.Author, AuthorName: c.AuthorName, Text: c.Text, Platform: string(c.Platform),
		Chat: c.Chat, PlatformID: c.PlatformID, UserID: c.UserID, At: dbTime(c.At)}
	res := t.db.Clauses(ignoreDup).Create(&r)
	if res.Error != nil {
		return mapErr("add comment", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("add comment: %w", core.ErrDuplicate)
	}
	c.ID = r.ID
	return nil
}

func (t *tx) SetMuted(contact core.ContactID, muted bool, at time.Time) error {
	if !muted {
		return mapErr("unmute", t.db.Where("contact_id = ?", int64(contact)).Delete(&muteRow{}).Error)
	}
	return mapErr("mute", t.db.Clauses(ignoreDup).Create(&muteRow{ContactID: int64(contact), MutedAt: dbTime(at)}).Error)
}

func (t *tx) Muted(contact core.ContactID) (bool, error) {
	ids := []int64{int64(contact)}
	merged, err := t.MergedInto(contact)
	if err != nil {
		return false, fmt.Errorf("muted: %w", err)
	}
	for _, m := range merged {
		ids = append(ids, int64(m))
	}
	var n int64
	if err := t.db.Model(&muteRow{}).Where("contact_id IN ?", ids).Count(&n).Error; err != nil {
		return false, mapErr("muted", err)
	}
	return n > 0, nil
}

func (t *tx) AddNotice(n *core.Notice) error {
	if n.CreatedAt.IsZero() {
		n.CreatedAt = t.now()
	}
	r := noticeRow{Batch: n.Batch, ContactID: int64(n.To.Contact), Platform: string(n.To.Platform), UserID: n.To.UserID, Chat: n.To.Chat,
		IdeaID: int64(n.Idea), Text: n.Text, Actor: string(n.Actor), Digest: n.Digest, CreatedAt: dbTime(n.CreatedAt)}
	if err := t.db.Create(&r).Error; err != nil {
		return mapErr("add notice", err)
	}
	n.ID = r.ID
	return nil
}

func (t *tx) Notices(batch string) ([]core.Notice, error) {
	var rows []noticeRow
	if err := t.db.Where("batch = ?", batch).Order("id").Find(&rows).Error; err != nil {
		return nil, mapErr("notices", err)
	}
	out := make([]core.Notice, len(rows))
	for i, r := range rows {
		out[i] = core.Notice{ID: r.ID, Batch: r.Batch, Idea: core.IdeaID(r.IdeaID), Text: r.Text, Actor: core.StaffID(r.Actor), Digest: r.Digest,
			CreatedAt: fromDBTime(r.CreatedAt),
			To:        core.Voter{Contact: core.ContactID(r.ContactID), Platform: core.PlatformName(r.Platform), UserID: r.UserID, Chat: r.Chat}}
	}
	return out, nil
}

func (t *tx) NoticesSince(contact core.ContactID, since time.Time) (int, error) {
	var n int64
	err := t.db.Model(&noticeRow{}).Where("contact_id = ? AND created_at >= ?", int64(contact), dbTime(since)).Count(&n).Error
	return int(n), mapErr("notices since", err)
}

func (t *tx) OpenDigest(contact core.ContactID) (string, error) {
	var batches []string
	err := t.db.Raw(`SELECT n.batch FROM idea_notices n JOIN deliveries d ON d.idem_key = n.batch
WHERE n.contact_id = ? AND n.digest = ? AND d.state = 'pending' AND (d.claimed_until IS NULL OR d.claimed_until <= ?)
ORDER BY n.id DESC LIMIT 1`, int64(contact), true, dbTime(t.now())).Scan(&batches).Error
	if err != nil {
		return "", mapErr("open digest", err)
	}
	if len(batches) == 0 || strings.TrimSpace(batches[0]) == "" {
		return "", fmt.Errorf("open digest: %w", core.ErrNotFound)
	}
	return batches[0], nil
}
