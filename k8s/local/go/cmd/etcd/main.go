// Command etcd is the etcd server of the version Kubernetes pins (go.mod), built from
// its module because no release download can be reached.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
