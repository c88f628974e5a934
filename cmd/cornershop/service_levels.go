package main

import (
	"cornershop/config"
	"cornershop/core/relay"
)

// deskSLA translates a desk's SLA section for the relay (validated: every
// priority name is known).
func deskSLA(c config.SLA) relay.SLA {
	s := relay.SLA{FirstResponse: c.FirstResponse, NextResponse: c.NextResponse, WarnAt: c.WarnAt, OnDuty: c.OnDuty}
	for _, t := range c.Priorities {
		p, ok := relay.ParsePriority(t.Priority)
		if !ok {
			continue
		}
		if s.ByPriority == nil {
			s.ByPriority = map[int]relay.Target{}
		}
		s.ByPriority[p] = relay.Target{FirstResponse: t.FirstResponse, NextResponse: t.NextResponse}
	}
	return s
}
