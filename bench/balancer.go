package bench

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// balancer is the round-robin HTTP load balancer the bench runs on
// loopback in front of the replicas' HTTP listeners in Telegram webhook
// mode (--telegram-mode webhook): http.public_url points at it, so every
// replica registers the same webhook and Telegram's pushes alternate
// between the replicas, one request to the next replica in turn. A
// replica not yet listening answers 502 through it, which Telegram
// retries. It counts, per replica, the requests answered 2xx.
type balancer struct {
	ln    net.Listener
	srv   *http.Server
	proxy *httputil.ReverseProxy

	mu      sync.Mutex
	targets []string // the replicas' listen addresses
	next    int
	ok      []int // requests each target answered 2xx
}

type targetKey struct{}

func startBalancer() (*balancer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: balancer: %w", err)
	}
	b := &balancer{ln: ln}
	b.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			i, host := b.pick()
			r.SetURL(&url.URL{Scheme: "http", Host: host})
			r.Out = r.Out.WithContext(context.WithValue(r.Out.Context(), targetKey{}, i))
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 100, IdleConnTimeout: 30 * time.Second},
		ModifyResponse: func(resp *http.Response) error {
			if i, ok := resp.Request.Context().Value(targetKey{}).(int); ok && i >= 0 && resp.StatusCode/100 == 2 {
				b.mu.Lock()
				b.ok[i]++
				b.mu.Unlock()
			}
			return nil
		},
		ErrorLog: log.New(io.Discard, "", 0),
	}
	b.srv = &http.Server{Handler: b.proxy, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = b.srv.Serve(ln) }()
	return b, nil
}

// url is the balancer's base URL, the replicas' http.public_url.
func (b *balancer) url() string { return "http://" + b.ln.Addr().String() }

// add puts a replica behind the balancer.
func (b *balancer) add(listen string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.targets = append(b.targets, listen)
	b.ok = append(b.ok, 0)
}

// pick returns the next target in turn (-1 and a closed port when there is
// none yet: the request fails with 502).
func (b *balancer) pick() (int, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.targets) == 0 {
		return -1, "127.0.0.1:1"
	}
	i := b.next % len(b.targets)
	b.next++
	return i, b.targets[i]
}

// answered returns how many requests each target answered 2xx.
func (b *balancer) answered() []int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]int(nil), b.ok...)
}

func (b *balancer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = b.srv.Shutdown(ctx)
	_ = b.srv.Close()
	b.proxy.Transport.(*http.Transport).CloseIdleConnections()
}
