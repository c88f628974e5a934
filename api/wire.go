package api

import (
	"time"

	"cornershop/core"
)

// The JSON shapes of the API, and converters from core's records. Times
// are RFC 3339 in UTC; absent times are omitted.

type identityJSON struct {
	Platform string `json:"platform"`
	UserID   string `json:"user_id"`
	Handle   string `json:"handle,omitempty"`
	Name     string `json:"name,omitempty"`
}

type contactJSON struct {
	ID         int64             `json:"id"`
	Name       string            `json:"name"`
	Identities []identityJSON    `json:"identities"`
	Tags       []string          `json:"tags"`
	Blocked    bool              `json:"blocked"`
	CreatedAt  time.Time         `json:"created_at"`
	Fields     map[string]string `json:"fields,omitempty"`
}

func toContactJSON(c core.Contact) contactJSON {
	out := contactJSON{ID: int64(c.ID), Name: c.Name, Identities: []identityJSON{}, Tags: c.Tags, Blocked: c.Blocked, CreatedAt: c.CreatedAt.UTC()}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	for _, id := range c.Identities {
		out.Identities = append(out.Identities, identityJSON{Platform: string(id.Platform), UserID: id.UserID, Handle: id.Handle, Name: id.Name})
	}
	return out
}

type placeJSON struct {
	Platform string `json:"platform"`
	Chat     string `json:"chat"`
	Thread   string `json:"thread,omitempty"`
}

func toPlaceJSON(p core.Place) *placeJSON {
	if p.IsZero() {
		return nil
	}
	return &placeJSON{Platform: string(p.Platform), Chat: p.Chat, Thread: p.Thread}
}

type conversationJSON struct {
	ID        int64         `json:"id"`
	ContactID int64         `json:"contact_id"`
	Customer  *placeJSON    `json:"customer"`
	Desk      *placeJSON    `json:"desk,omitempty"`
	Status    string        `json:"status"`
	Assignee  string        `json:"assignee,omitempty"`
	Tags      []string      `json:"tags"`
	Priority  int           `json:"priority"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	ClosedAt  *time.Time    `json:"closed_at,omitempty"`
	Messages  []messageJSON `json:"messages,omitempty"`
}

func toConversationJSON(c core.Conversation) conversationJSON {
	out := conversationJSON{
		ID: int64(c.ID), ContactID: int64(c.ContactID), Customer: toPlaceJSON(c.Customer), Desk: toPlaceJSON(c.Desk),
		Status: string(c.Status), Assignee: string(c.Assignee), Tags: c.Tags, Priority: c.Priority,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(), ClosedAt: optTime(c.ClosedAt),
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	return out
}

type attachmentJSON struct {
	Kind        string `json:"kind"`
	Name        string `json:"name,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"`
}

type messageJSON struct {
	ID             int64            `json:"id"`
	ConversationID int64            `json:"conversation_id"`
	Direction      string           `json:"direction"`
	Author         string           `json:"author"`
	AuthorName     string           `json:"author_name,omitempty"`
	Text           string           `json:"text"`
	AsTeam         bool             `json:"as_team"`
	Attachments    []attachmentJSON `json:"attachments"`
	CreatedAt      time.Time        `json:"created_at"`
	EditedAt       *time.Time       `json:"edited_at,omitempty"`
	DeletedAt      *time.Time       `json:"deleted_at,omitempty"`
}

func toMessageJSON(m core.Message) messageJSON {
	out := messageJSON{
		ID: int64(m.ID), ConversationID: int64(m.ConversationID), Direction: string(m.Direction), Author: m.Author,
		AuthorName: m.AuthorName, Text: m.Text, AsTeam: m.AsTeam, Attachments: []attachmentJSON{},
		CreatedAt: m.CreatedAt.UTC(), EditedAt: optTime(m.EditedAt), DeletedAt: optTime(m.DeletedAt),
	}
	for _, a := range m.Attachments {
		out.Attachments = append(out.Attachments, attachmentJSON{Kind: string(a.Kind), Name: a.Name, ContentType: a.ContentType, Size: a.Size})
	}
	return out
}

type ideaJSON struct {
	ID         int64     `json:"id"`
	Title      string    `json:"title"`
	Body       string    `json:"body"`
	Status     string    `json:"status"`
	AuthorID   int64     `json:"author_id,omitempty"`
	Votes      int       `json:"votes"`
	Comments   int       `json:"comments"`
	Tags       []string  `json:"tags"`
	Message    string    `json:"message,omitempty"`
	MergedInto int64     `json:"merged_into,omitempty"`
	Hidden     bool      `json:"hidden"`
	Pinned     bool      `json:"pinned"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func toIdeaJSON(i core.Idea) ideaJSON {
	out := ideaJSON{
		ID: int64(i.ID), Title: i.Title, Body: i.Body, Status: string(i.Status), AuthorID: int64(i.Author),
		Votes: i.Votes, Comments: i.Comments, Tags: i.Tags, Message: i.Message, MergedInto: int64(i.MergedInto),
		Hidden: i.Hidden, Pinned: i.Pinned, CreatedAt: i.CreatedAt.UTC(), UpdatedAt: i.UpdatedAt.UTC(),
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	return out
}

type auditJSON struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Object string    `json:"object"`
	Detail string    `json:"detail"`
}

func toAuditJSON(e core.AuditEntry) auditJSON {
	return auditJSON{ID: e.ID, At: e.At.UTC(), Actor: e.Actor, Action: e.Action, Object: e.Object, Detail: e.Detail}
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
