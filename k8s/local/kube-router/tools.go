//go:build tools

// Package tools pins kube-router, the local cluster's NetworkPolicy engine, so that this
// module's go.mod and go.sum hold every package k8s/local/build.sh needs to build it.
package tools

import _ "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"
