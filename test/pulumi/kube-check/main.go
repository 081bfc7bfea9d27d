// kube-check decodes every Kubernetes object of a YAML stream (stdin) strictly against the Go
// types of k8s.io/api, the pinned API version of go.mod: an unknown or duplicated field, a
// wrong type or an unknown kind is an error. It prints one JSON line per document and exits
// 1 when any document fails, so the tests see which object and which field is wrong.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

type result struct {
	Index int    `json:"index"`
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	Error string `json:"error,omitempty"`
}

func newDecoder() runtime.Decoder {
	scheme := runtime.NewScheme()
	for _, register := range []func(*runtime.Scheme) error{
		appsv1.AddToScheme, autoscalingv2.AddToScheme, corev1.AddToScheme,
		networkingv1.AddToScheme, policyv1.AddToScheme, rbacv1.AddToScheme,
	} {
		if err := register(scheme); err != nil {
			panic(err)
		}
	}
	return serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
}

func main() {
	decoder := newDecoder()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(os.Stdin))
	out := json.NewEncoder(os.Stdout)
	failed := false

	for index := 0; ; index++ {
		document, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "kube-check: reading document %d: %v\n", index, err)
			os.Exit(2)
		}
		if len(bytes.TrimSpace(document)) == 0 {
			continue
		}
		object, kind, err := decoder.Decode(document, nil, nil)
		line := result{Index: index}
		if kind != nil {
			line.Kind = kind.Kind
		}
		if err != nil {
			line.Error = err.Error()
			failed = true
		} else if named, ok := object.(interface{ GetName() string }); ok {
			line.Name = named.GetName()
		}
		if err := out.Encode(line); err != nil {
			os.Exit(2)
		}
	}
	if failed {
		os.Exit(1)
	}
}
