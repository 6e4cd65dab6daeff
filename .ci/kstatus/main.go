// Command kstatus prints the kstatus (sigs.k8s.io/cli-utils/pkg/kstatus) of Kubernetes objects: the status
// Flux, kpt and Argo CD's kstatus-based tooling compute. It reads YAML or JSON documents (a List is expanded)
// from the files named, or stdin, and prints one JSON line per object:
//
//	{"kind":"ScrapingPolicy","namespace":"shop","name":"storefront","status":"Current","message":"..."}
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type result struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	Message   string `json:"message"`
}

func main() {
	files := os.Args[1:]
	if len(files) == 0 {
		files = []string{"-"}
	}
	out := json.NewEncoder(os.Stdout)
	for _, f := range files {
		var r io.Reader = os.Stdin
		if f != "-" {
			file, err := os.Open(f)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			defer file.Close()
			r = file
		}
		dec := yaml.NewYAMLOrJSONDecoder(bufio.NewReader(r), 4096)
		for {
			var obj map[string]interface{}
			if err := dec.Decode(&obj); err == io.EOF {
				break
			} else if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", f, err)
				os.Exit(1)
			}
			if obj == nil {
				continue
			}
			// Through JSON again: unstructured's own decoding keeps integers int64, as kstatus expects.
			raw, err := json.Marshal(obj)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", f, err)
				os.Exit(1)
			}
			u := &unstructured.Unstructured{}
			if err := u.UnmarshalJSON(raw); err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", f, err)
				os.Exit(1)
			}
			items := []*unstructured.Unstructured{u}
			if u.IsList() {
				items = nil
				_ = u.EachListItem(func(o runtime.Object) error {
					items = append(items, o.(*unstructured.Unstructured))
					return nil
				})
			}
			for _, item := range items {
				res, err := status.Compute(item)
				if err != nil {
					fmt.Fprintf(os.Stderr, "%s %s/%s: %v\n", item.GetKind(), item.GetNamespace(), item.GetName(), err)
					os.Exit(1)
				}
				_ = out.Encode(result{item.GetKind(), item.GetNamespace(), item.GetName(), res.Status.String(), res.Message})
			}
		}
	}
}
