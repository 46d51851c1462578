import { parseChannel, type Channel } from "./channels.ts";

const byName = new Map<string, WeakRef<Channel>>();
const forget = new FinalizationRegistry<string>((name) => {
  if (byName.get(name)?.deref() === undefined) byName.delete(name);
});

/**
 * The channel a name names (parseChannel), one object for every subscription on the
 * replica that follows it: thousands of viewers of a lot share one instead of holding a
 * copy each (about 0.3 KiB). It is forgotten once nothing holds it.
 */
export function followedChannel(name: string): Channel | undefined {
  const known = byName.get(name)?.deref();
  if (known) return known;
  const channel = parseChannel(name);
  if (!channel) return undefined;
  byName.set(channel.name, new WeakRef(channel));
  forget.register(channel, channel.name);
  return channel;
}
