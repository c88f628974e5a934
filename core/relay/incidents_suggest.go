package relay

import (
	"fmt"
	"strconv"
	"strings"

	"cornershop/core"
)

// incidentSuggestionAuthor marks the desk note that suggests linking a
// new conversation to an incident: it leaves with a "link" button.
const incidentSuggestionAuthor = "system:incident:"

// suggestIncident matches a new conversation's first message against the
// open incidents' titles and keywords with the database's own full-text
// engine. The best match is linked at once with Incidents.AutoLink;
// otherwise the conversation's thread offers it with a button.
func (s *Service) suggestIncident(tx core.Tx, conv core.Conversation, text string) error {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	hits, err := tx.SearchIncidents(text, 1)
	if err != nil {
		return fmt.Errorf("suggest incident: %w", err)
	}
	// Only incidents given keywords are suggested: a title alone ("Login
	// outage") matches too much of what customers write.
	if len(hits) == 0 || len(hits[0].Incident.Keywords) == 0 {
		return nil
	}
	inc := hits[0].Incident
	if s.cfg.Incidents.AutoLink {
		ic := incidentCall{s: s, tx: tx, id: inc.ID}
		_, err := s.link(ic, inc, conv, fmt.Sprintf("🔗 Linked to incident #%d (%s): the first message matches its keywords.", inc.ID, inc.Title))
		return err
	}
	m := core.Message{ConversationID: conv.ID, Direction: core.System, Author: incidentSuggestionAuthor + strconv.FormatInt(int64(inc.ID), 10),
		Text:      fmt.Sprintf("🚨 Looks like incident #%d (%s) — link? Press the button or type %sincident %d.", inc.ID, inc.Title, s.cfg.CommandPrefix, inc.ID),
		CreatedAt: s.now()}
	if err := tx.CreateMessage(&m); err != nil {
		return fmt.Errorf("record incident suggestion: %w", err)
	}
	if err := tx.Audit(core.AuditEntry{At: s.now(), Actor: "system", Action: "incident.suggest", Object: inc.ID.String(), Detail: conv.ID.String()}); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return s.enqueue(tx, core.Delivery{
		Key: fmt.Sprintf("send:desk:%d", m.ID), ConversationID: conv.ID, MessageID: m.ID,
		Op: core.OpSend, Side: core.DeskSide, Platform: conv.Desk.Platform,
	})
}

// incidentButtons are the controls under an incident suggestion: one
// press runs "!incident N" in the thread.
func incidentButtons(author string) []core.Button {
	id, ok := strings.CutPrefix(author, incidentSuggestionAuthor)
	if !ok {
		return nil
	}
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return nil
	}
	return []core.Button{{Label: "Link to incident #" + id, Action: "incident", Args: []string{id}}}
}
