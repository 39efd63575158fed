// root.js - the page at the app's root (/ or /tasks/): straight on to
// dashboard/ when signed in (GET api/auth/me answers 200), else to login/.
import { api, appPath } from './api.js';

try {
    await api('/auth/me', { redirectOn401: false });
    location.replace(appPath('dashboard/'));
} catch {
    location.replace(appPath('login/'));
}
