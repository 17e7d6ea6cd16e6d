import { BrowserRouter, Route, Routes, useLocation } from 'react-router-dom';
import { LoginPage } from '../features/auth/LoginPage';
import { RegisterPage } from '../features/auth/RegisterPage';
import { ErrorBoundary } from '../features/errors/ErrorBoundary';
import { ForbiddenPage } from '../features/errors/ForbiddenPage';
import { NotFoundPage } from '../features/errors/NotFoundPage';
import { HomePage } from '../features/home/HomePage';
import { MyRoomsPage } from '../features/my_rooms/MyRoomsPage';
import { CreateRoomPage } from '../features/rooms/CreateRoomPage';
import { RoomPage } from '../features/rooms/RoomPage';
import { Layout } from '../ui/Layout';
import { ServicesProvider, type Services } from './services';

/** All routes. Unknown paths show the 404 page. */
export function AppRoutes() {
  return (
    <Routes>
      <Route path="/" element={<HomePage />} />
      <Route path="/login" element={<LoginPage />} />
      <Route path="/register" element={<RegisterPage />} />
      <Route path="/new" element={<CreateRoomPage />} />
      <Route path="/my" element={<MyRoomsPage />} />
      <Route path="/r/:slug" element={<RoomPage />} />
      <Route path="/403" element={<ForbiddenPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}

function Shell() {
  const { pathname } = useLocation();
  return (
    <Layout>
      {/* A page that throws shows the 500 page inside the layout; navigating elsewhere clears it. */}
      <ErrorBoundary resetKey={pathname}>
        <AppRoutes />
      </ErrorBoundary>
    </Layout>
  );
}

/** Shown only if the layout itself fails: no services, no router, just a way out. */
function CrashFallback() {
  return (
    <main className="container main crash">
      <h1>Something went wrong</h1>
      <p>Kino hit an unexpected error. Reloading usually fixes it.</p>
      <p>
        <a className="btn btn-primary" href="/">
          Go to the home page
        </a>
      </p>
    </main>
  );
}

export function App({ services }: { services: Services }) {
  return (
    <ErrorBoundary fallback={<CrashFallback />}>
      <ServicesProvider services={services}>
        <BrowserRouter>
          <Shell />
        </BrowserRouter>
      </ServicesProvider>
    </ErrorBoundary>
  );
}
