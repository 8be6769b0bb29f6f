// The benchmarks' load generator in Go, for `npm run bench:compare -- --loadgen go`: the same load
// against replistore (HTTP/1.1 keep-alive, net/http) and etcd (the official clientv3 over gRPC), so
// neither system is measured through a client that costs more CPU than the other's on the cores the
// servers share. It speaks the protocol of test/bench/protocol.ts: one JSON phase request per line on
// stdin, one JSON result per line on stdout; keys written by earlier phases are read by read phases.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

type phaseRequest struct {
	Phase       string   `json:"phase"`
	URLs        []string `json:"urls"`
	CA          string   `json:"ca"`
	DurationMs  float64  `json:"durationMs"`
	Concurrency int      `json:"concurrency"`
	ValueBytes  int      `json:"valueBytes"`
	System      string   `json:"system"`
	EtcdReads   string   `json:"etcdReads"`
	// read phases read random keys among this many bulk-loaded ones (test/bench/repair-data.ts's keyOf)
	PreloadedKeys int `json:"preloadedKeys"`
}

type phaseResult struct {
	Kind         string         `json:"kind"`
	Phase        string         `json:"phase"`
	Ops          int            `json:"ops"`
	Errors       int            `json:"errors"`
	Outcomes     map[string]int `json:"outcomes"`
	ErrorSamples []string       `json:"errorSamples"`
	ElapsedMs    float64        `json:"elapsedMs"`
	OpsPerSec    float64        `json:"opsPerSec"`
	P50Ms        float64        `json:"p50Ms"`
	P90Ms        float64        `json:"p90Ms"`
	P99Ms        float64        `json:"p99Ms"`
	P999Ms       float64        `json:"p999Ms"`
	MaxMs        float64        `json:"maxMs"`
}

// one client's request: the outcome's name, whether it succeeded, a description
type operation func(key string, read bool) (string, bool, string)

var (
	written   []string
	writtenMu sync.Mutex
	nextKey   atomic.Int64
	etcd      *clientv3.Client
	web       *http.Client
)

// the name test/bench/repair-data.ts's keyOf gives the i-th bulk-loaded key
func preloadedKey(i int) string {
	digits := strconv.FormatInt(int64(i), 36)
	for len(digits) < 5 {
		digits = "0" + digits
	}
	return "bench-" + digits
}

func tlsConfig(caPEM string) (*tls.Config, error) {
	if caPEM == "" {
		return nil, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(caPEM)) {
		return nil, fmt.Errorf("no certificate in the CA given")
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

func replistoreOps(req phaseRequest, value []byte) ([]operation, error) {
	if web == nil {
		cfg, err := tlsConfig(req.CA)
		if err != nil {
			return nil, err
		}
		// one keep-alive connection per client, as the Node load generator has
		web = &http.Client{Transport: &http.Transport{
			TLSClientConfig:     cfg,
			MaxIdleConnsPerHost: req.Concurrency,
			MaxConnsPerHost:     req.Concurrency,
			IdleConnTimeout:     time.Minute,
		}, Timeout: 30 * time.Second}
	}
	ops := make([]operation, req.Concurrency)
	for i := range ops {
		base := req.URLs[i%len(req.URLs)]
		ops[i] = func(key string, read bool) (string, bool, string) {
			var r *http.Request
			if read {
				r, _ = http.NewRequest(http.MethodGet, base+"/v1/kv/"+key, nil)
			} else {
				r, _ = http.NewRequest(http.MethodPut, base+"/v1/kv/"+key, bytes.NewReader(value))
				r.Header.Set("Content-Type", "application/octet-stream")
			}
			res, err := web.Do(r)
			if err != nil {
				return "network", false, err.Error()
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			ok := res.StatusCode == 200 && (!read || len(body) == req.ValueBytes)
			return strconv.Itoa(res.StatusCode), ok, fmt.Sprintf("%d %.120s", res.StatusCode, body)
		}
	}
	return ops, nil
}

func etcdOps(req phaseRequest, value []byte) ([]operation, error) {
	// one process per system (bench:compare starts a fresh generator for each), so one client
	if etcd == nil {
		cfg, err := tlsConfig(req.CA)
		if err != nil {
			return nil, err
		}
		etcd, err = clientv3.New(clientv3.Config{
			Endpoints:   req.URLs,
			TLS:         cfg,
			DialTimeout: 10 * time.Second,
			Logger:      zap.NewNop(),
		})
		if err != nil {
			return nil, err
		}
	}
	var readOpts []clientv3.OpOption
	if req.EtcdReads != "linearizable" {
		readOpts = append(readOpts, clientv3.WithSerializable())
	}
	val := string(value)
	op := func(k string, read bool) (string, bool, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if read {
			res, err := etcd.Get(ctx, k, readOpts...)
			if err != nil {
				return "grpc-error", false, err.Error()
			}
			ok := len(res.Kvs) == 1 && len(res.Kvs[0].Value) == req.ValueBytes
			return "grpc-0", ok, fmt.Sprintf("%d kvs", len(res.Kvs))
		}
		if _, err := etcd.Put(ctx, k, val); err != nil {
			return "grpc-error", false, err.Error()
		}
		return "grpc-0", true, ""
	}
	ops := make([]operation, req.Concurrency)
	for i := range ops {
		ops[i] = op
	}
	return ops, nil
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(len(sorted)-1, max(0, i))]
}

func runPhase(req phaseRequest) (phaseResult, error) {
	value := make([]byte, req.ValueBytes)
	_, _ = rand.Read(value)
	var ops []operation
	var err error
	if req.System == "etcd" {
		ops, err = etcdOps(req, value)
	} else {
		ops, err = replistoreOps(req, value)
	}
	if err != nil {
		return phaseResult{}, err
	}
	read := req.Phase == "read"
	writtenMu.Lock()
	keys := append([]string(nil), written...)
	writtenMu.Unlock()
	if read && req.PreloadedKeys == 0 && len(keys) == 0 {
		return phaseResult{}, fmt.Errorf("read phase before any write")
	}
	var mu sync.Mutex
	latencies := make([]float64, 0, 1<<16)
	outcomes := map[string]int{}
	samples := []string{}
	errorsSeen := 0
	start := time.Now()
	deadline := start.Add(time.Duration(req.DurationMs * float64(time.Millisecond)))
	var wg sync.WaitGroup
	for _, op := range ops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]float64, 0, 4096)
			var mine []string
			for time.Now().Before(deadline) {
				var key string
				if read && req.PreloadedKeys > 0 {
					key = preloadedKey(mrand.IntN(req.PreloadedKeys))
				} else if read {
					key = keys[mrand.IntN(len(keys))]
				} else {
					key = fmt.Sprintf("bench-%s-%d", req.Phase, nextKey.Add(1))
				}
				began := time.Now()
				outcome, ok, detail := op(key, read)
				ms := float64(time.Since(began).Microseconds()) / 1000
				if ok {
					local = append(local, ms)
					if !read {
						mine = append(mine, key)
					}
				}
				mu.Lock()
				outcomes[outcome]++
				if !ok {
					errorsSeen++
					if len(samples) < 5 {
						samples = append(samples, fmt.Sprintf("%s %s: %s", req.Phase, key, detail))
					}
				}
				mu.Unlock()
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
			writtenMu.Lock()
			written = append(written, mine...)
			writtenMu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := float64(time.Since(start).Microseconds()) / 1000
	sort.Float64s(latencies)
	return phaseResult{
		Kind: "result", Phase: req.Phase, Ops: len(latencies), Errors: errorsSeen, Outcomes: outcomes,
		ErrorSamples: samples, ElapsedMs: elapsed, OpsPerSec: float64(len(latencies)) / (elapsed / 1000),
		P50Ms: percentile(latencies, 50), P90Ms: percentile(latencies, 90), P99Ms: percentile(latencies, 99),
		P999Ms: percentile(latencies, 99.9), MaxMs: percentile(latencies, 100),
	}, nil
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var req phaseRequest
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			fmt.Fprintf(os.Stderr, "loadgen: bad request: %v\n", err)
			os.Exit(2)
		}
		res, err := runPhase(req)
		if err != nil {
			fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
			os.Exit(1)
		}
		if err := out.Encode(res); err != nil {
			os.Exit(1)
		}
	}
}
