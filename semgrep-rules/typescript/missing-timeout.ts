import axios from 'axios';

const BASE = process.env.PAYMENTS_URL;

export async function getRates() {
  // ruleid: backlint.typescript.missing-timeout
  const res = await fetch('https://api.exchangerate.host/latest');
  return res.json();
}

export async function getUser(id: string) {
  // ruleid: backlint.typescript.missing-timeout
  const res = await fetch(`${BASE}/users/${id}`, { headers: { Accept: 'application/json' } });
  return res.json();
}

export async function postEvent(url: string, body: unknown) {
  // ruleid: backlint.typescript.missing-timeout
  return fetch(url, { method: 'POST', body: JSON.stringify(body) });
}

export async function getRepo() {
  // ruleid: backlint.typescript.missing-timeout
  const { data } = await axios.get('https://api.github.com/repos/x/y');
  // ruleid: backlint.typescript.missing-timeout
  await axios.post(`${BASE}/charges`, { amount: 1 });
  // ruleid: backlint.typescript.missing-timeout
  await axios({ method: 'post', url: `${BASE}/refunds`, data: {} });
  return data;
}

// Near misses: all fine.
export async function fine(id: string, options: RequestInit) {
  // ok: backlint.typescript.missing-timeout
  await fetch('https://api.example.com/x', { signal: AbortSignal.timeout(5000) });
  const controller = new AbortController();
  const signal = controller.signal;
  // ok: backlint.typescript.missing-timeout
  await fetch(`${BASE}/x`, { method: 'GET', signal });
  // ok: backlint.typescript.missing-timeout
  await fetch('/api/items');
  // ok: backlint.typescript.missing-timeout
  await fetch(`/api/items/${id}`, { method: 'DELETE' });
  // ok: backlint.typescript.missing-timeout
  await fetch(`${BASE}/x`, options);
  // ok: backlint.typescript.missing-timeout
  await axios.get('https://api.github.com/zen', { timeout: 3000 });
  // ok: backlint.typescript.missing-timeout
  await axios.post(`${BASE}/charges`, { amount: 1 }, { timeout: 10_000 });
  // ok: backlint.typescript.missing-timeout
  await axios.get('/api/me');
  // ok: backlint.typescript.missing-timeout
  await api.get('/charges');
}

// SWR fetcher: runs in the browser against the app's own API.
export const fetcher = async (url: string) => {
  // ok: backlint.typescript.missing-timeout
  const response = await fetch(url);
  return response.json();
};
