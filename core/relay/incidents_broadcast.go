package relay

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"

	"cornershop/core"
)

// broadcastAt queues a render of the incident's public status post at
// every Incidents.Broadcast place. Each place has its own lane; a render
// with another queued behind it is skipped, so a burst of changes costs
// one edit.
func (s *Service) broadcastAt(tx core.Tx, inc core.Incident) error {
	for _, p := range s.cfg.Incidents.Broadcast {
		where := string(p.Platform) + ":" + p.Chat
		err := s.enqueue(tx, core.Delivery{Key: fmt.Sprintf("incident:%d:broadcast:%s:%s", inc.ID, where, rand.Text()), Incident: inc.ID,
			Op: core.OpBroadcast, Side: core.DeskSide, Platform: p.Platform, Endpoint: where, Lane: incidentLane(inc.ID) + ":b:" + where})
		if err != nil {
			return err
		}
	}
	return nil
}

// broadcastText renders the status post: the incident's heading, then its
// updates, newest first, each with when and who.
func (s *Service) broadcastText(inc core.Incident, us []core.IncidentUpdate) string {
	emoji := "🚨"
	if inc.State == core.IncidentResolved {
		emoji = "✅"
	}
	lines := []string{fmt.Sprintf("%s %s — %s", emoji, inc.Title, inc.State)}
	for _, u := range slices.Backward(us) {
		who := u.AuthorName
		if u.AsTeam || who == "" {
			who = s.cfg.Team.Name
		}
		lines = append(lines, fmt.Sprintf("%s · %s: %s", u.CreatedAt.UTC().Format("2 Jan 15:04 MST"), who, u.Text))
	}
	return strings.Join(lines, "\n")
}

// performBroadcast posts the incident's status post at d's place the first
// time, and edits it in place after that.
func (s *Service) performBroadcast(ctx context.Context, d core.Delivery) (func(core.Tx) error, error) {
	platform, chat, _ := strings.Cut(d.Endpoint, ":")
	place := core.Place{Platform: core.PlatformName(platform), Chat: chat}
	var (
		inc   core.Incident
		us    []core.IncidentUpdate
		post  core.IncidentBroadcast
		later bool
	)
	err := s.commit.quiet(ctx, func(tx core.Tx) error {
		var err error
		if inc, err = tx.Incident(d.Incident); err != nil {
			return err
		}
		if us, err = tx.IncidentUpdates(d.Incident); err != nil {
			return err
		}
		if post, err = tx.IncidentBroadcast(d.Incident, place); err != nil && !errors.Is(err, core.ErrNotFound) {
			return err
		}
		later, err = tx.PendingBehind(d)
		return err
	})
	if errors.Is(err, core.ErrNotFound) {
		return nil, core.Permanent(err)
	}
	if err != nil {
		return nil, fmt.Errorf("load incident broadcast: %w", err)
	}
	if later {
		return nil, nil // a render queued behind this one shows the same and newer
	}
	plat, ok := s.platforms[place.Platform]
	if !ok {
		return nil, core.Permanent(fmt.Errorf("platform %s is not running", place.Platform))
	}
	out := core.Outgoing{Key: d.Key, Place: place, Kind: core.KindSystem, Text: s.broadcastText(inc, us)}
	if len(post.PostIDs) > 0 {
		ed, ok := plat.(core.Editor)
		if !ok {
			return nil, core.Permanent(fmt.Errorf("edit on %s: %w", place.Platform, core.ErrUnsupported))
		}
		return nil, ed.Edit(ctx, place, post.PostIDs, out)
	}
	rc, err := plat.Send(ctx, out)
	if err != nil {
		return nil, err
	}
	return func(tx core.Tx) error {
		return tx.SaveIncidentBroadcast(core.IncidentBroadcast{Incident: inc.ID, Place: place, PostIDs: rc.IDs})
	}, nil
}
