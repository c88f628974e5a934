package relay

import (
	"context"
	"fmt"
	"strings"

	"cornershop/core"
)

// directory is the configured staff list, indexed by platform identity.
type directory struct {
	byID       map[core.StaffID]core.Staff
	byIdentity map[core.Place]core.StaffID // Place{Platform, Chat: userID}
}

func newDirectory(staff []core.Staff) directory {
	d := directory{byID: map[core.StaffID]core.Staff{}, byIdentity: map[core.Place]core.StaffID{}}
	for _, s := range staff {
		d.byID[s.ID] = s
		for p, uid := range s.Identities {
			d.byIdentity[core.Place{Platform: p, Chat: uid}] = s.ID
		}
	}
	return d
}

func (d directory) byUser(p core.PlatformName, userID string) (core.Staff, bool) {
	id, ok := d.byIdentity[core.Place{Platform: p, Chat: userID}]
	if !ok {
		return core.Staff{}, false
	}
	return d.byID[id], true
}

// memberPrefix marks staff known through desk membership rather than the
// directory: their id is "member:<platform>:<user id>".
const memberPrefix = "member:"

// resolveStaff finds who wrote in a desk: the directory first, then, for
// desks that take staff from membership, the platform's member profile.
func (s *Service) resolveStaff(ctx context.Context, desk Desk, sender core.Sender) (core.Staff, bool, error) {
	if st, ok := s.staff.byUser(desk.Place.Platform, sender.UserID); ok {
		return st, true, nil
	}
	if !desk.StaffFromMembership || sender.Bot {
		return core.Staff{}, false, nil
	}
	look, ok := s.platforms[desk.Place.Platform].(core.StaffLookup)
	if !ok {
		return core.Staff{}, false, nil
	}
	voice, member, err := look.Member(ctx, desk.Place, sender.UserID)
	if err != nil {
		return core.Staff{}, false, fmt.Errorf("look up desk member: %w", err)
	}
	if !member {
		return core.Staff{}, false, nil
	}
	if voice.Name == "" {
		voice.Name = sender.Name
	}
	return core.Staff{
		ID:         core.StaffID(memberPrefix + string(desk.Place.Platform) + ":" + sender.UserID),
		Voice:      voice,
		Roles:      []core.Role{core.RoleAgent},
		Identities: map[core.PlatformName]string{desk.Place.Platform: sender.UserID},
	}, true, nil
}

// voiceOf returns the voice a recorded author speaks in.
func (s *Service) voiceOf(ctx context.Context, author string) core.Voice {
	id, ok := strings.CutPrefix(author, "staff:")
	if !ok {
		return core.Voice{}
	}
	if st, ok := s.staff.byID[core.StaffID(id)]; ok {
		return st.Voice
	}
	rest, ok := strings.CutPrefix(id, memberPrefix)
	if !ok {
		return core.Voice{}
	}
	platform, user, _ := strings.Cut(rest, ":")
	if look, ok := s.platforms[core.PlatformName(platform)].(core.StaffLookup); ok {
		for _, d := range s.cfg.Desks {
			if string(d.Place.Platform) != platform {
				continue
			}
			if v, member, err := look.Member(ctx, d.Place, user); err == nil && member {
				return v
			}
		}
	}
	return core.Voice{}
}
