// Spate Console's entry: the layout and a hash router (#/topics/orders/messages), so the broker serves one page.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { BrokersPage } from './pages/brokers.js';
import { GroupPage, GroupsPage } from './pages/groups.js';
import { OverviewPage } from './pages/overview.js';
import { TopicPage, type TopicTab } from './pages/topic.js';
import { TopicsPage } from './pages/topics.js';
import './styles.css';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = (): void => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

function route(hash: string): { section: string; page: preact.ComponentChildren } {
  const parts = hash.replace(/^#\/?/, '').split('/').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const [section = '', name, sub] = parts;
  switch (section) {
    case 'topics':
      if (name !== undefined && name !== '') {
        const tab: TopicTab = sub === 'partitions' || sub === 'configs' ? sub : 'messages';
        return { section, page: <TopicPage key={name} name={name} tab={tab} /> };
      }
      return { section, page: <TopicsPage /> };
    case 'groups':
      return { section, page: name !== undefined && name !== '' ? <GroupPage key={name} id={name} /> : <GroupsPage /> };
    case 'brokers':
      return { section, page: <BrokersPage id={name !== undefined && name !== '' ? Number(name) : null} /> };
    default:
      return { section: 'overview', page: <OverviewPage /> };
  }
}

function App() {
  const { section, page } = route(useHash());
  const nav = [
    ['overview', '#/', 'Overview'],
    ['topics', '#/topics', 'Topics'],
    ['groups', '#/groups', 'Consumer groups'],
    ['brokers', '#/brokers', 'Brokers'],
  ] as const;
  return (
    <div class="layout">
      <aside class="sidebar">
        <div class="brand">Spate Console</div>
        <nav>
          {nav.map(([key, href, label]) => (
            <a key={key} href={href} class={section === key ? 'active' : ''} data-testid={`nav-${key}`}>
              {label}
            </a>
          ))}
        </nav>
      </aside>
      <main class="content">{page}</main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
