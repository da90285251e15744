/** Follows redirects by hand, the way a browser would; returns the final page and every hop. */
export async function browse(url: string): Promise<{ status: number; text: string; hops: string[] }> {
  const hops: string[] = [];
  let current = url;
  for (let i = 0; i < 10; i++) {
    hops.push(current);
    const res = await fetch(current, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      current = new URL(location, current).href;
      continue;
    }
    return { status: res.status, text: await res.text(), hops };
  }
  throw new Error('too many redirects');
}
