package relay

import (
	"cmp"
	"fmt"
	"slices"

	"cornershop/core"
	"cornershop/core/listen"
)

// maxFeedbackButtons caps the "Feedback for idea #N" buttons on a card,
// so that with the other three a card has at most five (one Discord row).
const maxFeedbackButtons = 2

// relatedIdeas returns up to limit open ideas whose titles share the most
// words with text (words of four letters or more, folded like rule terms),
// best first; ideas sharing none are not related.
func relatedIdeas(tx core.Tx, text string, limit int) ([]core.Idea, error) {
	words := map[string]bool{}
	for _, w := range listen.Words(text) {
		if len([]rune(w)) >= 4 {
			words[w] = true
		}
	}
	if len(words) == 0 {
		return nil, nil
	}
	open, err := tx.Ideas(core.IdeaFilter{Statuses: []core.IdeaStatus{core.IdeaNew, core.IdeaUnderReview, core.IdeaPlanned, core.IdeaInProgress},
		Order: core.IdeasTop, Limit: 500})
	if err != nil {
		return nil, fmt.Errorf("list ideas: %w", err)
	}
	type scored struct {
		idea  core.Idea
		score int
	}
	var hits []scored
	for _, i := range open {
		n := 0
		seen := map[string]bool{}
		for _, w := range listen.Words(i.Title) {
			if words[w] && !seen[w] {
				n, seen[w] = n+1, true
			}
		}
		if n > 0 {
			hits = append(hits, scored{i, n})
		}
	}
	slices.SortStableFunc(hits, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(b.idea.Votes, a.idea.Votes)
	})
	var out []core.Idea
	for _, h := range hits[:min(limit, len(hits))] {
		out = append(out, h.idea)
	}
	return out, nil
}

// signalFeedback files a signal's first message as a comment on an idea:
// its author then follows the idea, and hears when it moves.
func (s *Service) signalFeedback(tx core.Tx, sig core.Signal, idea core.IdeaID) (string, error) {
	i, err := tx.Idea(idea)
	if err != nil {
		return "", fmt.Errorf("load idea: %w", err)
	}
	first, err := tx.SignalMessage(sig.First)
	if err != nil {
		return "", fmt.Errorf("load signal message: %w", err)
	}
	c, err := tx.Contact(first.Contact)
	if err != nil {
		return "", fmt.Errorf("load contact: %w", err)
	}
	var userID string
	for _, idt := range c.Identities {
		if idt.Platform == first.Place.Platform {
			userID = idt.UserID
		}
	}
	ic := core.IdeaComment{Idea: i.ID, Author: fmt.Sprintf("contact:%d", c.ID), AuthorName: first.AuthorName, UserID: userID,
		Text: first.Text, Platform: first.Place.Platform, Chat: first.Place.Chat, PlatformID: first.PlatformID, At: first.At}
	if err := tx.AddComment(&ic); err != nil {
		if err := ignoreDuplicate(err); err != nil {
			return "", fmt.Errorf("add comment: %w", err)
		}
	}
	if err := s.refreshIdea(tx, i); err != nil {
		return "", err
	}
	return fmt.Sprintf("Filed as feedback on idea #%d “%s”; %s now follows it.", int64(i.ID), i.Title, first.AuthorName), nil
}
