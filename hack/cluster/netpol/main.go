// kube-network-policies as a host process of the one-node cluster (hack/cluster/build.sh).
//
// The upstream command (sigs.k8s.io/kube-network-policies/cmd) runs as a DaemonSet pod: it only
// knows the in-cluster config (a service-account token under /var/run/secrets) and stops only on
// SIGINT. This one runs the same controller from a kubeconfig, stops on SIGTERM too (removing its
// nftables table on the way out), leaves the Admin Network Policy APIs out (they need CRDs) and
// fails loudly when the kernel refuses its nftables rules, which the controller only logs: without
// those rules nothing is enforced.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"time"

	"github.com/google/nftables"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sys/unix"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/component-base/logs"
	logsapi "k8s.io/component-base/logs/api/v1"
	nodeutil "k8s.io/component-helpers/node/util"
	"k8s.io/klog/v2"
	"sigs.k8s.io/kube-network-policies/pkg/networkpolicy"
)

const module = "sigs.k8s.io/kube-network-policies"

func main() {
	os.Exit(run())
}

func run() int {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the agent's identity (required): it lists and watches pods, namespaces and networkpolicies, and creates events")
	hostnameOverride := flag.String("hostname-override", "", "name of the Node whose pods' traffic this agent filters (default: the hostname)")
	metricsAddress := flag.String("metrics-bind-address", "127.0.0.1:9080", "address of the Prometheus /metrics endpoint; empty for none")
	queueID := flag.Int("nfqueue-id", 100, "netfilter queue the first packets of new connections are sent to")
	failOpen := flag.Bool("fail-open", false, "accept queued packets while the agent is not running (instead of dropping them)")
	bug1766 := flag.Bool("netfilter-bug-1766-fix", true, "process DNS packets on the PREROUTING hooks (not needed on kernels 6.12+)")
	useNRI := flag.Bool("nri", false, "learn pod IPs from the container runtime over NRI (/var/run/nri/nri.sock, containerd >= 1.7 with NRI enabled) as well as from the apiserver")
	tableName := flag.String("nftables-table", "kube-network-policies", "name of the ip nftables table the agent owns")
	rulesTimeout := flag.Duration("rules-timeout", 30*time.Second, "how long to wait, once the informers have synced, for the nftables table to appear before giving up")
	showVersion := flag.Bool("version", false, "print the version and exit")
	logging := logsapi.NewLoggingConfiguration()
	logsapi.AddGoFlags(logging, flag.CommandLine)
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: %s --kubeconfig=FILE [options]\n\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()

	if *showVersion {
		fmt.Printf("kube-network-policies %s (replistore host-process command)\n", moduleVersion())
		return 0
	}
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "kube-network-policies: unexpected arguments %q\n", flag.Args())
		return 2
	}
	if *kubeconfig == "" {
		fmt.Fprintln(os.Stderr, "kube-network-policies: --kubeconfig is required")
		return 2
	}
	logs.InitLogs()
	defer logs.FlushLogs()
	if err := logsapi.ValidateAndApply(logging, nil); err != nil {
		fmt.Fprintf(os.Stderr, "kube-network-policies: %v\n", err)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), unix.SIGINT, unix.SIGTERM)
	defer stop()
	logger := klog.FromContext(ctx)

	nodeName, err := nodeutil.GetHostname(*hostnameOverride)
	if err != nil {
		logger.Error(err, "cannot tell the node name; use --hostname-override")
		return 1
	}
	restConfig, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		logger.Error(err, "cannot load the kubeconfig", "path", *kubeconfig)
		return 1
	}
	restConfig.UserAgent = "kube-network-policies"
	restConfig.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	restConfig.ContentType = "application/vnd.kubernetes.protobuf"
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		logger.Error(err, "cannot make a client")
		return 1
	}

	factory := informers.NewSharedInformerFactory(client, 0)
	controller, err := networkpolicy.NewController(
		client,
		factory.Networking().V1().NetworkPolicies(),
		factory.Core().V1().Namespaces(),
		factory.Core().V1().Pods(),
		nil, nil, nil, nil, // no Admin Network Policies: no node informer, client or informers
		networkpolicy.Config{
			FailOpen:            *failOpen,
			QueueID:             *queueID,
			NodeName:            nodeName,
			NetfilterBug1766Fix: *bug1766,
			NFTableName:         *tableName,
			NRIdisabled:         !*useNRI,
		},
	)
	if err != nil {
		logger.Error(err, "cannot create the network policy controller")
		return 1
	}
	logger.Info("starting", "version", moduleVersion(), "node", nodeName, "table", *tableName, "nfqueue", *queueID)

	if *metricsAddress != "" {
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.Handler())
		server := &http.Server{Addr: *metricsAddress, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error(err, "metrics endpoint stopped", "address", *metricsAddress)
			}
		}()
		defer server.Close()
	}

	// Run returns once ctx is done and the table is removed, or at once when the queue cannot be opened.
	stopped := make(chan error, 1)
	go func() { stopped <- controller.Run(ctx) }()
	factory.Start(ctx.Done())

	rulesFailed := make(chan error, 1)
	go func() { rulesFailed <- waitForTable(ctx, factory, *tableName, *rulesTimeout) }()

	for {
		select {
		case err := <-stopped:
			if ctx.Err() == nil {
				logger.Error(err, "the network policy controller stopped by itself")
				return 1
			}
			return 0
		case err := <-rulesFailed:
			if err != nil && ctx.Err() == nil {
				logger.Error(err, "giving up")
				stop()
				<-stopped
				return 1
			}
			rulesFailed = nil
		case <-ctx.Done():
			logger.Info("stopping: removing the nftables table")
			select {
			case <-stopped:
			case <-time.After(10 * time.Second):
				logger.Info("the controller did not stop within 10 s")
			}
			return 0
		}
	}
}

// waitForTable returns nil once the controller's inet table exists, and an error if it does not
// appear within timeout of the informers' sync (the controller installs its rules right after it).
func waitForTable(ctx context.Context, factory informers.SharedInformerFactory, name string, timeout time.Duration) error {
	for _, synced := range factory.WaitForCacheSync(ctx.Done()) {
		if !synced {
			return ctx.Err()
		}
	}
	deadline := time.Now().Add(timeout)
	for {
		found, err := tableExists(name)
		if err != nil {
			return fmt.Errorf("listing nftables tables: %w", err)
		}
		if found {
			klog.FromContext(ctx).Info("nftables rules installed", "table", "ip "+name)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the nftables table ip %s did not appear within %s: the kernel refused the "+
				"rules (they need nfnetlink_queue, nft_compat and the xtables NFQUEUE target), so no "+
				"NetworkPolicy would be enforced", name, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func tableExists(name string) (bool, error) {
	conn, err := nftables.New()
	if err != nil {
		return false, err
	}
	defer conn.CloseLasting() //nolint:errcheck
	tables, err := conn.ListTablesOfFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return false, err
	}
	for _, table := range tables {
		if table.Name == name {
			return true, nil
		}
	}
	return false, nil
}

// moduleVersion is the version of kube-network-policies this binary was built from.
func moduleVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == module {
				return dep.Version
			}
		}
	}
	return "unknown"
}
