// mcp.test.mjs - what an AI assistant does over MCP (POST /api/mcp with
// the person's token) shows in the page: a task it adds appears, one it
// completes is shown done, one it deletes leaves; and one the person
// adds in the page is in the assistant's list_tasks.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
    API_PATH, BASE_URL, apiSignup, assertHealthy, at, eventually, launch, listIdle, openPage, taskItem,
    useSession,
} from './helpers.mjs';

describe('an assistant over MCP and the page', () => {
    let browser;
    let page;
    let problems;
    let person;
    let id = 0;

    /** One tools/call as an MCP client sends it (after initialize). */
    const tool = async (name, args) => {
        id += 1;
        const res = await fetch(`${new URL(BASE_URL).origin}${API_PATH}/mcp`, {
            method: 'POST',
            headers: {
                Authorization: `Bearer ${person.token}`, 'Content-Type': 'application/json',
                Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-11-25',
            },
            body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }),
        });
        assert.equal(res.status, 200);
        const { result } = await res.json();
        assert.equal(result.isError, undefined, JSON.stringify(result));
        return result.structuredContent;
    };

    before(async () => {
        browser = await launch();
        let context;
        ({ context, page, problems } = await openPage(browser));
        person = await apiSignup('Assisted Person');
        await useSession(context, person.token);
        await page.goto(at('/'));
        await listIdle(page);
    });
    after(async () => {
        await browser?.close();
    });

    it('a task the assistant adds, completes and deletes shows so in the page', async () => {
        const { task } = await tool('add_task', { title: 'Added by the assistant', priority: 'high' });
        await page.reload();
        await taskItem(page, 'Added by the assistant').waitFor();
        await tool('complete_task', { task_id: task.id });
        await page.reload();
        await eventually(async () => assert.match(
            await taskItem(page, 'Added by the assistant').getAttribute('class'), /\bis-done\b/));
        await tool('delete_task', { task_id: task.id });
        await page.reload();
        await listIdle(page);
        assert.equal(await taskItem(page, 'Added by the assistant').count(), 0);
        await assertHealthy(page, problems);
    });

    it('a task added in the page is in the assistant\'s list', async () => {
        await page.fill('#add-title', 'Added in the page');
        await page.click('#add-form button[type="submit"]');
        await taskItem(page, 'Added in the page').waitFor();
        const { tasks } = await tool('list_tasks', { q: 'in the page' });
        assert.deepEqual(tasks.map((t) => t.title), ['Added in the page']);
    });
});
