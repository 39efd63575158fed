// root.js - the page at /: straight on to /dashboard/ when signed in
// (GET /api/auth/me answers 200), else to /login/.
import { api } from './api.js';

try {
    await api('/api/auth/me', { redirectOn401: false });
    location.replace('/dashboard/');
} catch {
    location.replace('/login/');
}
