import { describe, expect, it } from "vitest";
import { clientNetwork } from "./client-network.ts";

describe("the network a client is counted by", () => {
  it("counts an IPv4 address on its own, also when Node writes it IPv4-mapped", () => {
    expect(clientNetwork("203.0.113.7", 56)).toBe("203.0.113.7");
    expect(clientNetwork("::ffff:203.0.113.7", 56)).toBe("203.0.113.7");
    expect(clientNetwork("::FFFF:127.0.0.1", 56)).toBe("127.0.0.1");
  });

  it("puts every address of one IPv6 /56 in one network", () => {
    const rotated = [
      "2001:db8:0:ab00::1",
      "2001:db8:0:ab12:1234:5678:9abc:def0",
      "2001:0db8:0000:abff:ffff:ffff:ffff:ffff",
      "2001:db8::ab42:0:0:0:7%eth0",
    ];
    for (const address of rotated) expect(clientNetwork(address, 56)).toBe("2001:db8:0:ab00::/56");
    expect(clientNetwork("2001:db8:0:ac00::1", 56)).toBe("2001:db8:0:ac00::/56");
  });

  it("follows the configured prefix length, down to single addresses", () => {
    expect(clientNetwork("2001:db8:0:ab12:1234::1", 64)).toBe("2001:db8:0:ab12::/64");
    expect(clientNetwork("2001:db8:0:ab12:1234::1", 48)).toBe("2001:db8::/48");
    expect(clientNetwork("2001:db8:0:ab12:1234::1", 60)).toBe("2001:db8:0:ab10::/60");
    expect(clientNetwork("2001:db8::1", 128)).toBe("2001:db8::1/128");
    expect(clientNetwork("::1", 128)).toBe("::1/128");
  });

  it("reads an IPv6 address with a dotted IPv4 tail", () => {
    expect(clientNetwork("64:ff9b::192.0.2.33", 128)).toBe("64:ff9b::c000:221/128");
  });

  it("passes anything that is not an address through unchanged", () => {
    expect(clientNetwork("unknown", 56)).toBe("unknown");
    expect(clientNetwork("", 56)).toBe("");
  });
});
